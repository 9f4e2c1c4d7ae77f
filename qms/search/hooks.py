"""Keep the index in step with the database: reindex the versions a transaction touched,
right after it commits.

Every change to a document or a version writes a trail event in the same transaction; the
events a session flushes say which versions to reindex, parked in the session's outbox
(`qms.core.outbox`): a rolled-back transaction reindexes nothing. Indexing failures are
logged, never raised: the commit has happened, and `qms search reindex` rebuilds the index
from the database.
"""

from __future__ import annotations

import fcntl
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from whoosh.index import Index

from qms.core.outbox import after_commit
from qms.core.trail_actions import TrailAction
from qms.documents.models import DocumentVersion
from qms.search.index import index_versions, open_index, rebuild, schema_is_current
from qms.trail.models import TrailEvent

REINDEX = TrailAction.SEARCH_REINDEX
# Events that change nothing the index holds: a print must not pay for an index write.
UNINDEXED = frozenset({TrailAction.DOCUMENT_PRINT, TrailAction.DOCUMENT_PERIODIC_REVIEW})
log = logging.getLogger(__name__)


def search_index(app: Flask) -> Index:
    """The app's index, opened (or created) once."""
    ix = app.extensions.get("qms_search_index")
    if ix is None:
        path = app.extensions["qms_settings"].search_index_path
        path.mkdir(parents=True, exist_ok=True)
        # Several worker processes open the index at once after a start or an upgrade: one
        # creates or rebuilds it while the others wait, then they all open the same one.
        with open(path / ".open.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            ix = open_index(path)
            if not schema_is_current(ix):
                # Written by an older release: build it anew from the database, the authority.
                with app.extensions["qms_db"].session_factory() as session:
                    count = rebuild(session, path)
                log.warning("search index rebuilt for the current schema: %d versions", count)
                ix = open_index(path)
        app.extensions["qms_search_index"] = ix
    return ix


@dataclass
class _Reindex:
    """The versions and documents one transaction touched, reindexed once it has committed."""

    app_ref: weakref.ref[Flask]
    version_ids: set[int] = field(default_factory=set)
    document_ids: set[int] = field(default_factory=set)

    def __call__(self) -> None:
        app = self.app_ref()
        if app is None or (not self.version_ids and not self.document_ids):
            return
        version_ids = set(self.version_ids)
        factory = app.extensions["qms_db"].session_factory
        # The committed session may not emit SQL from inside after_commit: read afresh.
        with factory() as fresh:
            if self.document_ids:
                stmt = sa.select(DocumentVersion.id).where(
                    DocumentVersion.document_id.in_(self.document_ids)
                )
                version_ids |= set(fresh.scalars(stmt))
            try:
                index_versions(fresh, search_index(app), version_ids)
            except Exception:
                log.exception("search index update failed; run `qms search reindex`")


def init_app(app: Flask) -> None:
    factory: sessionmaker[Session] = app.extensions["qms_db"].session_factory
    # SQLAlchemy keeps session listeners in a weak-keyed map whose key (the factory's class) the
    # app holds: a listener that held the app strongly would keep every app alive for good.
    app_ref = weakref.ref(app)

    def collect(session: Session, _context: Any) -> None:
        for obj in session.new:
            if (
                not isinstance(obj, TrailEvent)
                or obj.action in UNINDEXED
                or obj.object_type not in {"document_version", "document"}
                or not str(obj.object_id).isdigit()
            ):
                continue
            job = after_commit(session, REINDEX, _Reindex(app_ref))
            if obj.object_type == "document_version":
                job.version_ids.add(int(obj.object_id))
            else:
                job.document_ids.add(int(obj.object_id))

    event.listen(factory, "after_flush", collect)
