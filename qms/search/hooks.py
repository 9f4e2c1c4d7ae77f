"""Keep the index in step with the database: reindex the versions a transaction touched,
right after it commits.

Every change to a document or a version writes a trail event in the same transaction; the
events a session flushes say which versions to reindex. A rolled-back transaction reindexes
nothing. Indexing failures are logged, never raised: the commit has happened, and
`qms search reindex` rebuilds the index from the database.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker
from whoosh.index import Index

from qms.documents.models import DocumentVersion
from qms.search.index import index_versions, open_index
from qms.trail.models import TrailEvent

VERSIONS, DOCUMENTS = "qms_search_versions", "qms_search_documents"
# Events that change nothing the index holds: a print must not pay for an index write.
UNINDEXED = frozenset({"document:print", "document:periodic_review"})
log = logging.getLogger(__name__)


def search_index(app: Flask) -> Index:
    """The app's index, opened (or created) once."""
    ix = app.extensions.get("qms_search_index")
    if ix is None:
        ix = open_index(app.extensions["qms_settings"].search_index_path)
        app.extensions["qms_search_index"] = ix
    return ix


def _collect(session: Session, _context: Any) -> None:
    for obj in session.new:
        if (
            not isinstance(obj, TrailEvent)
            or obj.action in UNINDEXED
            or not str(obj.object_id).isdigit()
        ):
            continue
        if obj.object_type == "document_version":
            session.info.setdefault(VERSIONS, set()).add(int(obj.object_id))
        elif obj.object_type == "document":
            session.info.setdefault(DOCUMENTS, set()).add(int(obj.object_id))


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(VERSIONS, None)
    session.info.pop(DOCUMENTS, None)


def init_app(app: Flask) -> None:
    factory: sessionmaker[Session] = app.extensions["qms_db"].session_factory
    # SQLAlchemy keeps session listeners in a weak-keyed map whose key (the factory's class) the
    # app holds: a listener that held the app strongly would keep every app alive for good.
    app_ref = weakref.ref(app)

    def reindex(session: Session) -> None:
        version_ids = session.info.pop(VERSIONS, set())
        document_ids = session.info.pop(DOCUMENTS, set())
        app = app_ref()
        if app is None or (not version_ids and not document_ids):
            return
        factory = app.extensions["qms_db"].session_factory
        # The committed session may not emit SQL from inside after_commit: read afresh.
        with factory() as fresh:
            if document_ids:
                stmt = sa.select(DocumentVersion.id).where(
                    DocumentVersion.document_id.in_(document_ids)
                )
                version_ids |= set(fresh.scalars(stmt))
            try:
                index_versions(fresh, search_index(app), version_ids)
            except Exception:
                log.exception("search index update failed; run `qms search reindex`")

    event.listen(factory, "after_flush", _collect)
    event.listen(factory, "after_commit", reindex)
    event.listen(factory, "after_rollback", _forget)
