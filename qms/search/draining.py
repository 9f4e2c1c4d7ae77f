"""Index jobs applied: how the index is never behind the database for long.

A change writes a job row in its own transaction (`qms.search.hooks`); once it commits, the
process drains the pending jobs. Two rules keep the index right under concurrent writers and
killed processes:

- **One writer at a time, reading under the lock.** Draining takes the index write lock
  (`qms.search.locks`, which dies with its holder) *without waiting*, and reads the database
  state of an entry only while holding it. Whatever is written last was read last, so it is
  the latest committed state: no stale overwrite, whatever order the commits and the drains
  come in.
- **No lost wake-up.** A drain that finds the lock taken returns at once (the user's request
  is never held up); the holder drains until nothing is due, releases, and looks again. A job
  committed before someone failed to take the lock is seen by that look.

A job that fails keeps its error and is retried later, with backoff, by the next drain or the
tick. A killed process leaves its jobs pending, for the next drain.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session
from whoosh.index import LockError

from qms.core import db as core_db
from qms.search import status
from qms.search.backend_of import STARTED, reconcile_on_start, search_backend
from qms.search.backends import SearchBackend
from qms.search.locks import write_lock
from qms.search.models import SearchJob
from qms.search.sources import BY_KIND, key_of, sources_for

log = logging.getLogger(__name__)

BATCH = 500
# A request that committed drains for at most this long; what is left goes on a thread.
REQUEST_BUDGET_S = 2.0
MAX_BACKOFF = timedelta(hours=1)
_THREAD = "qms_search_drain_thread"


@dataclass
class Drained:
    applied: int = 0  # jobs done
    failed: int = 0  # jobs that failed this time (retried later)
    busy: bool = False  # another holder had the lock (and will see what is pending)


def due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(SearchJob.done_at.is_(None), SearchJob.next_attempt_at <= now)


def backoff(attempts: int) -> timedelta:
    """How long a job that failed `attempts` times waits: 10 s, 20 s, 40 s… at most an hour."""
    return min(timedelta(seconds=5 * 2 ** min(attempts, 20)), MAX_BACKOFF)


def drain(app: Flask, *, budget_s: float | None = None, retry: bool = False) -> Drained:
    """Apply the due jobs, unless another holds the lock (then it will).

    `budget_s` bounds the time spent here (a request's after-commit); what is left is drained
    on a thread. `retry` makes failed jobs due at once (the CLI, tests)."""
    result = Drained()
    deadline = None if budget_s is None else time.monotonic() + budget_s
    if retry:
        _retry_now(app)
    while True:
        handoff = False
        with write_lock(app, blocking=False) as held:
            if not held:
                result.busy = True
                return result
            while drain_round(app, result):
                if deadline is not None and time.monotonic() > deadline:
                    handoff = True
                    break
            if not handoff and not app.extensions.get(STARTED):
                reconcile_on_start(app)
        # Released: anything committed by someone who found the lock taken is due now.
        if handoff:
            _drain_on_thread(app)
            return result
        if not _any_due(app):
            return result


def _retry_now(app: Flask) -> None:
    with status.factory(app)() as session:
        now = core_db.utcnow()
        session.execute(
            sa.update(SearchJob)
            .where(SearchJob.done_at.is_(None), SearchJob.next_attempt_at > now)
            .values(next_attempt_at=now)
        )
        session.commit()


def _any_due(app: Flask) -> bool:
    with status.factory(app)() as session:
        return bool(session.scalar(sa.select(sa.exists().where(due(core_db.utcnow())))))


def _drain_on_thread(app: Flask) -> None:
    thread: threading.Thread | None = app.extensions.get(_THREAD)
    if thread is not None and thread.is_alive():
        return

    def run() -> None:
        try:
            drain(app)
        except Exception:
            log.exception("search index drain failed")

    thread = threading.Thread(target=run, name="qms-search-drain", daemon=True)
    app.extensions[_THREAD] = thread
    thread.start()


def drain_round(app: Flask, result: Drained) -> bool:
    """Apply up to BATCH due jobs (the lock held); False when none was due."""
    with status.factory(app)() as session:
        now = core_db.utcnow()
        rows = session.execute(
            sa.select(SearchJob.id, SearchJob.object_type, SearchJob.object_id, SearchJob.attempts)
            .where(due(now))
            .order_by(SearchJob.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return False
        objects: dict[str, set[int]] = {}
        for row in rows:
            objects.setdefault(row.object_type, set()).add(row.object_id)
        try:
            errors = apply(session, search_backend(app), objects)
        except Exception as error:
            log.exception("search index update failed; the jobs stay pending")
            errors = {(row.object_type, row.object_id): status.describe(error) for row in rows}
            session.rollback()
        done = [row.id for row in rows if (row.object_type, row.object_id) not in errors]
        if done:
            session.execute(sa.update(SearchJob).where(SearchJob.id.in_(done)).values(done_at=now))
        for row in rows:
            message = errors.get((row.object_type, row.object_id))
            if message is not None:
                session.execute(
                    sa.update(SearchJob)
                    .where(SearchJob.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        next_attempt_at=now + backoff(row.attempts + 1),
                        last_error=message,
                    )
                )
        session.commit()
        result.applied += len(done)
        result.failed += len(rows) - len(done)
        return True


def apply(
    session: Session, backend: SearchBackend, objects: dict[str, set[int]]
) -> dict[tuple[str, int], str]:
    """Write the entries these objects touch; returns the objects that failed, with why.

    All at once; when that fails, one object at a time, so that one bad record does not hold
    back the others."""
    try:
        _commit_touched(session, backend, objects)
        return {}
    except LockError:
        raise  # Whoosh's lock is busy, not any one object: one by one would only wait again
    except Exception:
        log.exception("search index: a batch failed; applying its jobs one by one")
        session.rollback()
    errors: dict[tuple[str, int], str] = {}
    for object_type, ids in objects.items():
        for object_id in sorted(ids):
            try:
                _commit_touched(session, backend, {object_type: {object_id}})
            except Exception as error:
                log.exception("search index: %s %s failed", object_type, object_id)
                errors[(object_type, object_id)] = status.describe(error)
                session.rollback()
    return errors


def _commit_touched(session: Session, backend: SearchBackend, objects: dict[str, set[int]]) -> None:
    touched: dict[str, set[int]] = {}
    for object_type, ids in objects.items():
        for source in sources_for(object_type):
            touched.setdefault(source.kind, set()).update(source.touched(session, object_type, ids))
    commit_entries(session, backend, touched)


def entries_of(
    session: Session, kind: str, ids: set[int]
) -> tuple[list[dict[str, Any]], list[str]]:
    """The entries of these ids as the database has them now, and the keys of those gone."""
    entries = BY_KIND[kind].entries(session, ids)
    return list(entries.values()), [key_of(kind, object_id) for object_id in ids - set(entries)]


def commit_entries(session: Session, backend: SearchBackend, by_kind: dict[str, set[int]]) -> None:
    """Bring these entries in step with the database: updated as they are now, removed when
    gone. BATCH ids at a time: a renamed process touches every version of its documents, far
    more than one statement may bind or one write should hold. A failure part-way leaves the
    job pending; applying it again is harmless."""
    for kind, ids in by_kind.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), BATCH):
            entries, gone = entries_of(session, kind, set(ordered[start : start + BATCH]))
            if entries:
                backend.update(entries)
            if gone:
                backend.remove(gone)
