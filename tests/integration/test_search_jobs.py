"""Never behind (issue 15, item 5): index work is a durable job written with the change, applied
after the commit, retried when it fails, never failing or holding up the user's request when
the index is busy; reconcile repairs drift; a rebuild swaps a new index in under searches."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from whoosh.qparser import QueryParser

from qms.core.db import db
from qms.documents.authoring import update_draft
from qms.processes.models import Process
from qms.processes.services import update_process
from qms.search import draining, generations, jobs, locks
from qms.search.backend_of import search_backend, search_index
from qms.search.cli import search_group
from qms.search.models import SearchJob
from qms.search.sources import key_of
from qms.tick import run_tick
from tests import search_helpers
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import bearer_for

# Drains, locks and conditional updates of job rows: both databases, and both search backends.
pytestmark = [pytest.mark.sql, pytest.mark.search_backends]


def _text(word: str) -> list[dict[str, str]]:
    return [{"kind": "text", "text": f"Procedimiento con la palabra {word}."}]


def _edit(app: Flask, org: Org, version_id: int, word: str) -> None:
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, content=_text(word))
        db.session.commit()


def _found(app: Flask, word: str) -> list[str]:
    """The keys of the entries whose content holds `word`, straight from the index."""
    return search_helpers.found(app, word)


def _stored(app: Flask, version_id: int) -> dict[str, Any] | None:
    return search_helpers.stored(app, "version", version_id)


def _whoosh_only(app: Flask) -> None:
    if app.extensions["qms_settings"].search_backend != "whoosh":
        pytest.skip("Whoosh's own lock and generations")


def _jobs(app: Flask, version_id: int) -> list[SearchJob]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(SearchJob)
                .where(
                    SearchJob.object_type == "document_version",
                    SearchJob.object_id == version_id,
                )
                .order_by(SearchJob.id)
            )
        )


@contextmanager
def _index_locked(app: Flask) -> Iterator[None]:
    """Hold the index write lock as another process would (its own open file, or its own
    connection holding the advisory lock)."""
    if app.extensions["qms_settings"].search_backend == "postgres":
        with app.extensions["qms_db"].engine.connect() as connection:
            key = {"key": locks.ADVISORY_KEY}
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), key)
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), key)
                connection.commit()
        return
    root = app.extensions["qms_settings"].search_index_path
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / jobs.WRITE_LOCK, os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@pytest.fixture
def draft(app: Flask) -> tuple[Org, int]:
    org = build_org(app)
    _, version_id = new_document(app, org, text="Objetivo: alfaprimero.")
    return org, version_id


def test_the_job_is_written_in_the_changes_transaction_and_rolls_back_with_it(app, draft):
    org, version_id = draft
    before = len(_jobs(app, version_id))
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, content=_text("betafantasma"))
        pending = db.session.scalars(
            sa.select(SearchJob).where(
                SearchJob.object_id == version_id, SearchJob.done_at.is_(None)
            )
        ).all()
        assert [(j.object_type, j.attempts) for j in pending] == [("document_version", 0)]
        db.session.rollback()
    assert len(_jobs(app, version_id)) == before
    assert _found(app, "betafantasma") == []


def test_after_the_commit_the_job_is_done_and_the_entry_found(app, draft):
    org, version_id = draft
    _edit(app, org, version_id, "gammanuevo")
    # Found in the same process right after the commit: the commit drained its own job.
    assert _found(app, "gammanuevo") == [key_of("version", version_id)]
    assert _found(app, "alfaprimero") == []
    assert all(job.done_at is not None for job in _jobs(app, version_id))


def test_a_failing_job_stays_pending_with_its_error_and_is_retried(app, draft, monkeypatch):
    org, version_id = draft
    real = draining.entries_of

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(draining, "entries_of", broken)
    _edit(app, org, version_id, "deltareintento")  # the request itself succeeds
    [*_, job] = _jobs(app, version_id)
    assert job.done_at is None and job.attempts == 1
    assert "disk on fire" in job.last_error
    assert job.next_attempt_at > job.queued_at  # backoff
    assert _found(app, "deltareintento") == []

    monkeypatch.setattr(draining, "entries_of", real)
    assert jobs.drain(app).applied == 0  # not due yet: it waits out its backoff
    drained = jobs.drain(app, retry=True)
    assert drained.applied >= 1 and drained.failed == 0
    [*_, job] = _jobs(app, version_id)
    assert job.done_at is not None and job.attempts == 1
    assert _found(app, "deltareintento") == [key_of("version", version_id)]


def test_a_busy_index_neither_fails_nor_holds_the_request(app, draft):
    org, version_id = draft
    client = app.test_client()
    headers = bearer_for(app, org.owner_id)
    with _index_locked(app):
        started = time.perf_counter()
        response = client.patch(
            f"/api/v1/versions/{version_id}",
            json={"content": _text("epsilonocupado")},
            headers=headers,
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.get_data(as_text=True)
        assert elapsed < 2, elapsed
        [*_, job] = _jobs(app, version_id)
        assert job.done_at is None and job.attempts == 0  # waiting, not failed
        assert _found(app, "epsilonocupado") == []
        assert jobs.drain(app).busy
    # The lock is free: the next drain (here the tick's) applies it.
    with app.app_context():
        lines = run_tick(app)
    assert any("job(s) applied" in line for line in lines), lines
    assert _found(app, "epsilonocupado") == [key_of("version", version_id)]
    assert all(job.done_at is not None for job in _jobs(app, version_id))


def test_a_foreign_holder_of_whooshs_own_lock_delays_the_job_not_the_request(app, draft):
    """A writer outside the jobs (an older release during an upgrade) holds Whoosh's lock: the
    request still answers promptly, its job waits as a retry, and is applied once it frees."""
    org, version_id = draft
    _whoosh_only(app)
    ix = search_index(app)
    lock = ix.storage.lock(f"{ix.indexname}_WRITELOCK")
    assert lock.acquire()
    try:
        started = time.perf_counter()
        _edit(app, org, version_id, "omicronajeno")
        assert time.perf_counter() - started < jobs.WHOOSH_LOCK_WAIT_S + 1.5
        [*_, job] = _jobs(app, version_id)
        assert job.done_at is None and job.attempts == 1 and "Lock" in job.last_error
    finally:
        lock.release()
    assert jobs.drain(app, retry=True).applied >= 1
    assert _found(app, "omicronajeno") == [key_of("version", version_id)]


def test_the_drain_holding_the_lock_applies_what_others_committed_meanwhile(
    app, draft, monkeypatch
):
    """No lost wake-up: a commit whose drain finds the lock taken is applied by the holder."""
    org, version_id = draft
    _, other_id = new_document(app, org, title="Otro", text="Otro texto.")
    inside, go_on = threading.Event(), threading.Event()
    real = draining.entries_of

    def slow(*args: Any, **kwargs: Any) -> Any:
        if not inside.is_set():
            inside.set()
            assert go_on.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(draining, "entries_of", slow)
    holder = threading.Thread(target=_edit, args=(app, org, version_id, "zetaprimera"))
    holder.start()
    assert inside.wait(10)  # the holder drains, lock held, stuck mid-write
    _edit(app, org, other_id, "etasegunda")  # its drain finds the lock taken: returns at once
    [*_, job] = _jobs(app, other_id)
    assert job.done_at is None
    go_on.set()
    holder.join(10)
    assert not holder.is_alive()
    assert _found(app, "zetaprimera") == [key_of("version", version_id)]
    assert _found(app, "etasegunda") == [key_of("version", other_id)]
    assert all(job.done_at is not None for job in _jobs(app, other_id))


def test_a_commit_in_the_holders_release_window_is_not_lost(app, draft, monkeypatch):
    """The holder found nothing more to do and is about to release when another commit's
    drain finds the lock taken: the holder looks again after releasing, and applies it."""
    org, version_id = draft
    _, other_id = new_document(app, org, title="Otro", text="Otro texto.")
    real = draining.drain_round
    fired: list[bool] = []

    def last_round(app_: Flask, result: draining.Drained) -> bool:
        more = real(app_, result)
        if not more and not fired and threading.current_thread() is holder:
            fired.append(True)
            other = threading.Thread(target=_edit, args=(app, org, other_id, "mupostrero"))
            other.start()
            other.join(10)
            [*_, job] = _jobs(app, other_id)
            assert job.done_at is None  # its own drain found the lock taken
        return more

    monkeypatch.setattr(draining, "drain_round", last_round)
    holder = threading.Thread(target=_edit, args=(app, org, version_id, "nuprimero"))
    holder.start()
    holder.join(20)
    assert fired and not holder.is_alive()
    assert _found(app, "mupostrero") == [key_of("version", other_id)]
    assert all(job.done_at is not None for job in _jobs(app, other_id))


def test_reconcile_repairs_missing_stale_and_extra_entries(app, draft):
    org, version_id = draft
    _, stale_id = new_document(app, org, title="Otro", text="Texto thetaactual.")
    backend = search_backend(app)
    backend.remove([key_of("version", version_id)])
    stale = _stored(app, stale_id)
    assert stale is not None
    stale.update(content="Texto iotaviejo.")
    extra = {**stale, "key": key_of("version", 999), "object_id": 999, "content": "kappasobra"}
    backend.update([stale, extra])
    assert _found(app, "alfaprimero") == [] and _found(app, "thetaactual") == []

    result = app.test_cli_runner().invoke(search_group, ["reconcile"])
    assert result.exit_code == 0, result.output
    assert "1 missing, 1 stale, 1 extra: repaired" in result.output
    assert f"stale version: {stale_id}" in result.output
    assert _found(app, "alfaprimero") == [key_of("version", version_id)]
    assert _found(app, "thetaactual") == [key_of("version", stale_id)]
    assert _found(app, "iotaviejo") == [] and _found(app, "kappasobra") == []
    again = app.test_cli_runner().invoke(search_group, ["reconcile"])
    assert "0 missing, 0 stale, 0 extra: in step" in again.output
    assert jobs.last_reconcile(app)["summary"] == "0 missing, 0 stale, 0 extra: in step"  # type: ignore[index]


def test_the_tick_repairs_missing_and_extra_entries(app, draft):
    _, version_id = draft
    backend = search_backend(app)
    backend.remove([key_of("version", version_id)])
    backend.update([{"key": key_of("version", 998), "kind": "version", "object_id": 998}])
    with app.app_context():
        lines = run_tick(app)
    assert "Search index drift: 1 missing, 1 extra: repaired." in lines
    assert _found(app, "alfaprimero") == [key_of("version", version_id)]
    assert _stored(app, 998) is None


def test_rebuild_swaps_while_a_searcher_keeps_working_and_loses_no_change(app, draft):
    org, version_id = draft
    _whoosh_only(app)
    root = app.extensions["qms_settings"].search_index_path
    old_ix = search_index(app)
    old_name = generations.current_name(root)
    searcher = old_ix.searcher()
    query = QueryParser("content", old_ix.schema).parse("alfaprimero")
    assert len(searcher.search(query)) == 1
    committed: list[int] = []

    def during(done: int, total: int) -> None:
        # A change committed while the rebuild reads the database (its drain writes to the
        # generation still in use): the swapped-in generation must have it too.
        if not committed:
            committed.append(done)
            _edit(app, org, version_id, "lambdadurante")
            assert len(searcher.search(query)) == 1  # the old searcher still reads
        assert total >= 1

    count = jobs.rebuild_and_swap(app, during)
    assert count >= 1 and committed
    assert generations.current_name(root) != old_name
    assert len(searcher.search(query)) == 1  # opened before the swap, still whole
    searcher.close()
    assert search_index(app) is not old_ix  # noticed the swap
    assert _found(app, "lambdadurante") == [key_of("version", version_id)]
    assert _found(app, "alfaprimero") == []
    progress = jobs.rebuild_progress(app)
    assert progress is not None and progress["state"] == "done"
    assert progress["done"] == progress["total"] == count

    result = app.test_cli_runner().invoke(search_group, ["rebuild"])
    assert result.exit_code == 0, result.output
    assert "versions indexed" in result.output
    assert _found(app, "lambdadurante") == [key_of("version", version_id)]
    # The generation before last is gone; the last one is kept for searches still reading it.
    assert len(list(root.glob(f"{generations.PREFIX}*"))) == 2


def test_done_jobs_are_pruned_after_a_week(app, draft, monkeypatch):
    _, version_id = draft
    assert _jobs(app, version_id)
    from qms.core import db as core_db

    real = core_db.utcnow
    monkeypatch.setattr(core_db, "utcnow", lambda: real() + jobs.KEEP_DONE * 2)
    with app.app_context():
        lines = run_tick(app)
    assert any("pruned" in line for line in lines), lines
    assert _jobs(app, version_id) == []


def test_the_admin_page_shows_jobs_reconcile_and_rebuild(app, draft, client_as, monkeypatch):
    org, version_id = draft
    app.test_cli_runner().invoke(search_group, ["reconcile", "--dry-run"])

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disco lleno")

    monkeypatch.setattr(draining, "entries_of", broken)
    _edit(app, org, version_id, "ximostrar")
    monkeypatch.undo()
    admin = client_as("admin")
    page = admin.get("/search/admin")
    assert page.status_code == 200 and "Refresh" not in page.headers
    html = page.get_data(as_text=True)
    assert "disco lleno" in html and f"document_version {version_id}" in html
    assert "search/admin/rebuild" in html and "csrf_token" in html
    assert client_as("staff").get("/search/admin").status_code == 403


def test_a_postgres_rebuild_replaces_every_row_at_once_and_loses_no_change(app, draft):
    """The rows are replaced in one transaction under the lock: searches read the old rows until
    it commits, and a change committed meanwhile waits as a job, applied right after."""
    if app.extensions["qms_settings"].search_backend != "postgres":
        pytest.skip("the PostgreSQL search backend's rebuild")
    org, version_id = draft
    during_rebuild: list[list[str]] = []

    def during(done: int, total: int) -> None:
        if done == total and total and not during_rebuild:
            # Every row written, none committed: another thread edits (its drain finds the
            # lock taken) and searches (it reads the rows as they were).
            edit = threading.Thread(target=_edit, args=(app, org, version_id, "lambdadurante"))
            edit.start()
            edit.join(10)
            assert _jobs(app, version_id)[-1].done_at is None
            during_rebuild.append(_found(app, "alfaprimero"))

    count = jobs.rebuild_and_swap(app, during)
    assert count >= 1
    assert during_rebuild == [[key_of("version", version_id)]]
    assert _found(app, "lambdadurante") == [key_of("version", version_id)]
    assert _found(app, "alfaprimero") == []
    assert all(job.done_at is not None for job in _jobs(app, version_id))
    progress = jobs.rebuild_progress(app)
    assert progress is not None and progress["state"] == "done"

    result = app.test_cli_runner().invoke(search_group, ["rebuild"])
    assert result.exit_code == 0, result.output
    assert "search_entries table" in result.output
    assert _found(app, "lambdadurante") == [key_of("version", version_id)]


@pytest.mark.sql
@pytest.mark.search_backends
def test_a_renamed_process_reindexes_its_documents_in_batches(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process touches every version of its documents: far more than one statement may bind
    (PostgreSQL's 65,535 parameters), so they are read and written BATCH at a time."""
    org = build_org(app)
    versions = [new_document(app, org, title=f"Documento {n}")[1] for n in range(5)]
    monkeypatch.setattr(draining, "BATCH", 2)
    with app.app_context():
        process = db.session.get(Process, org.process_id)
        assert process is not None
        update_process(
            db.session,
            user(org.approver_id),
            process.id,
            name="Servicio al afiliado guanábana",
            objective=process.objective,
        )
        db.session.commit()
    assert sorted(search_helpers.found(app, "guanabana", field="process")) == sorted(
        key_of("version", v) for v in versions
    )
    with app.app_context():
        pending = db.session.scalar(
            sa.select(sa.func.count()).select_from(SearchJob).where(SearchJob.done_at.is_(None))
        )
    assert pending == 0
