"""Keep the index in step with the database: every change leaves an index job in its own
transaction, and the jobs are applied right after it commits.

Every change writes a trail event in the same transaction; as the session flushes, each event
on an object some source indexes adds a `SearchJob` row to that same flush, so the job commits
with the change or rolls back with it. After the commit the process drains the pending jobs
(`qms.search.jobs`): never failing, never waiting long for the user's request; a job left
behind (a busy index, a failure, a killed process) is applied by the next drain or the tick.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from qms.core import db as core_db
from qms.core.outbox import after_commit
from qms.core.trail_actions import TrailAction
from qms.search import jobs
from qms.search.models import SearchJob
from qms.search.sources import sources_for
from qms.trail.models import TrailEvent

REINDEX = TrailAction.SEARCH_REINDEX
# Events that change nothing the index holds (prints, exports, a review that changes no
# content): a print must not pay for an index write.
UNINDEXED = frozenset(
    {
        TrailAction.DOCUMENT_PRINT,
        TrailAction.DOCUMENT_PERIODIC_REVIEW,
        TrailAction.DOCUMENT_EXPORT,
        TrailAction.TRAIL_EXPORT_HISTORY,
    }
)
log = logging.getLogger(__name__)

__all__ = ["REINDEX", "UNINDEXED", "init_app"]


@dataclass
class _Drain:
    """Parked in the outbox of a transaction that queued index jobs: drains once it commits."""

    app_ref: weakref.ref[Flask]

    def __call__(self) -> None:
        app = self.app_ref()
        if app is None:
            return
        try:
            jobs.drain(app, budget_s=jobs.REQUEST_BUDGET_S)
        except Exception:
            # The change has committed and its job is safe in the database: the tick applies it.
            log.exception("search index drain failed; the tick retries")


def init_app(app: Flask) -> None:
    factory: sessionmaker[Session] = app.extensions["qms_db"].session_factory
    # SQLAlchemy keeps session listeners in a weak-keyed map whose key (the factory's class) the
    # app holds: a listener that held the app strongly would keep every app alive for good.
    app_ref = weakref.ref(app)

    def queue(session: Session, _context: Any, _instances: Any) -> None:
        # before_flush: what is added here is written by this very flush, in this transaction
        # (`trail.record()` flushes the event itself, so after_flush would be one flush late).
        queued: set[tuple[str, int]] = set()
        for obj in list(session.new):
            if (
                not isinstance(obj, TrailEvent)
                or obj.action in UNINDEXED
                or not str(obj.object_id).isdigit()
                or not sources_for(obj.object_type)
            ):
                continue
            target = (obj.object_type, int(obj.object_id))
            if target in queued:
                continue
            queued.add(target)
            now = core_db.utcnow()
            session.add(
                SearchJob(
                    object_type=target[0],
                    object_id=target[1],
                    queued_at=now,
                    next_attempt_at=now,
                    attempts=0,
                    last_error="",
                )
            )
        if queued:
            after_commit(session, REINDEX, _Drain(app_ref))

    event.listen(factory, "before_flush", queue)
