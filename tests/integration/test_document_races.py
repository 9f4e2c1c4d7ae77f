"""Signers racing on one version: exactly one wins, the others get Conflict (409), never twice.

Threads (each its own app context and session) and spawned processes (each its own app,
engine and session, as separate app servers would have) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms import create_app
from qms.core.db import db
from qms.core.errors import Conflict
from qms.documents import approval
from qms.documents.models import DocumentVersion, Signature, VersionState
from qms.trail.models import TrailEvent
from qms.trail.services import verify_chain
from qms.users.models import User
from tests.conftest import build_settings
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import PASSWORD, make_user

# The subject is SQL behaviour: both backends.
pytestmark = pytest.mark.sql

ACTIONS: dict[str, Callable[..., Any]] = {
    "submit": approval.submit_version,
    "review": approval.review_version,
    "approve": approval.approve_version,
}
# (action, state before, state after, signature meaning, trail action)
RACES = {
    "submit": (VersionState.DRAFT, VersionState.IN_REVIEW, "authored", "document:submit"),
    "review": (VersionState.IN_REVIEW, VersionState.IN_APPROVAL, "reviewed", "document:review"),
    "approve": (VersionState.IN_APPROVAL, VersionState.EFFECTIVE, "approved", "document:approve"),
}
RACERS = 3


def _attempt(action: str, user_id: int, version_id: int, wait: Callable[[], Any]) -> str:
    """One signer, inside an app context: 'ok', 'conflict', or the unexpected error."""
    session = db.session
    actor = session.get(User, user_id)
    assert actor is not None
    wait()  # everyone has loaded what it needs; go at once
    try:
        ACTIONS[action](session, actor, version_id, PASSWORD)
        session.commit()
        return "ok"
    except Conflict:
        session.rollback()
        return "conflict"
    except Exception as exc:  # reported, so the assertion shows it
        session.rollback()
        return repr(exc)


def _race_threads(app: Flask, action: str, user_ids: list[int], version_id: int) -> list[str]:
    barrier = threading.Barrier(len(user_ids))
    results: list[str] = [""] * len(user_ids)

    def run(i: int, user_id: int) -> None:
        with app.app_context():
            results[i] = _attempt(action, user_id, version_id, lambda: barrier.wait(30))

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(user_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _worker(url: str, tmp: str, tasks: Any, results: Any, barrier: Any) -> None:
    """A spawned process: its own app and engine; runs race tasks until told to stop."""
    app = create_app(build_settings(Path(tmp), url))
    try:
        results.put("ready")
        while (task := tasks.get(timeout=120)) is not None:
            action, user_id, version_id = task
            with app.app_context():
                results.put(_attempt(action, user_id, version_id, lambda: barrier.wait(60)))
    except Exception as exc:
        results.put(repr(exc))
    finally:
        app.extensions["qms_db"].engine.dispose()


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


@pytest.fixture
def leads(app: Flask) -> list[int]:
    """Quality leads: each may review and approve (none authored the versions)."""
    return [make_user(app, f"lead{n}", ["quality_lead"]).id for n in range(RACERS)]


def _prepare(app: Flask, org: Org, state: str) -> int:
    """A fresh version in `state` (draft, in_review or in_approval)."""
    _, version_id = new_document(app, org)
    with app.app_context():
        if state != VersionState.DRAFT:
            approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        if state == VersionState.IN_APPROVAL:
            approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
    return version_id


def _racers(org: Org, leads: list[int], action: str) -> list[int]:
    # Submitting: the owner and quality leads (both may edit); signing: quality leads only,
    # since the author may not review or approve.
    return [org.owner_id, *leads[1:]] if action == "submit" else leads


def _assert_one_winner(app: Flask, action: str, version_id: int, results: list[str]) -> None:
    _, after, meaning, trail_action = RACES[action]
    assert sorted(results) == ["conflict"] * (len(results) - 1) + ["ok"], results
    with app.app_context():
        session = db.session
        version = session.get(DocumentVersion, version_id)
        assert version is not None and version.state == after
        assert version.round == 1
        signed = session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.version_id == version_id, Signature.meaning == meaning)
        )
        events = session.scalar(
            sa.select(sa.func.count())
            .select_from(TrailEvent)
            .where(TrailEvent.action == trail_action, TrailEvent.object_id == str(version_id))
        )
        assert (signed, events) == (1, 1)
        assert verify_chain(session)[1] is None


@pytest.mark.parametrize("action", list(RACES))
def test_threads_race_one_wins(app, org, leads, action):
    version_id = _prepare(app, org, RACES[action][0])
    results = _race_threads(app, action, _racers(org, leads, action), version_id)
    _assert_one_winner(app, action, version_id, results)


@pytest.mark.slow
def test_processes_race_one_wins(app, org, leads, tmp_path):
    url = app.extensions["qms_db"].url
    ctx = multiprocessing.get_context("spawn")
    tasks, results, barrier = ctx.Queue(), ctx.Queue(), ctx.Barrier(RACERS)
    workers = [
        ctx.Process(target=_worker, args=(url, str(tmp_path / f"w{n}"), tasks, results, barrier))
        for n in range(RACERS)
    ]
    for worker in workers:
        worker.start()
    try:
        started = [results.get(timeout=60) for _ in workers]
        assert started == ["ready"] * RACERS, started
        for action, (before, *_rest) in RACES.items():
            version_id = _prepare(app, org, before)
            for user_id in _racers(org, leads, action):
                tasks.put((action, user_id, version_id))
            outcome = [results.get(timeout=60) for _ in workers]
            _assert_one_winner(app, action, version_id, outcome)
    finally:
        for _ in workers:
            tasks.put(None)
        for worker in workers:
            worker.join(20)
            if worker.is_alive():
                worker.kill()
                worker.join()
    assert [worker.exitcode for worker in workers] == [0] * RACERS
