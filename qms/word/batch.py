"""A bulk import: each file in its own transaction, reported row by row (`qms import` and the
bulk page share `import_one`), so a failed file leaves nothing and the others go on.

A batch from the page runs on a worker thread once the request that started it has
committed, with its own app context and session; its progress, report and heartbeat are
committed after each file. The files stay in memory (bounded by the upload limit) until the
thread ends; a process that dies takes them along, and its batch, whose heartbeat stops, is
marked interrupted the next time a batch page is read, keeping the report of what was done.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.core.db import db, rowcount, utcnow
from qms.core.errors import DomainError, NotFound
from qms.core.outbox import after_commit
from qms.core.permissions import Permission, can, require
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail
from qms.users.models import User
from qms.word.completing import apply_listing
from qms.word.files import Entry, Loaded
from qms.word.importing import import_document
from qms.word.master_list import Listing
from qms.word.models import BatchState, ImportBatch
from qms.word.reading import read_bytes

log = logging.getLogger(__name__)

# Long enough for the slowest single file; a running batch is silent for no longer.
STALE_AFTER = timedelta(minutes=2)


def import_one(
    session: Session,
    store: BlobStore,
    actor: Any,
    name: str,
    data: Loaded,
    listing: Listing | None = None,
) -> dict[str, Any]:
    """One file read, completed from the master list, imported and committed, or rolled back:
    its report row either way."""
    if isinstance(data, Exception):
        return {"file": name, "error": str(data)}
    filename = Path(name).name
    try:
        parsed = read_bytes(data, filename)
        listed = listing is not None and listing.row_for(parsed, filename) is not None
        if listing is not None:
            parsed = apply_listing(parsed, listing, filename)
        imported = import_document(session, store, actor, parsed, data=data, filename=filename)
        session.commit()
    except DomainError as error:
        session.rollback()
        return {"file": name, "error": str(error)}
    except IntegrityError:  # a document with this code arrived meanwhile: a conflict
        session.rollback()
        return {"file": name, "error": "conflict: another import or edit wrote this first"}
    except Exception as error:  # one bad file never stops the others
        session.rollback()
        log.exception("import of %s failed", name)
        return {"file": name, "error": f"could not be imported ({type(error).__name__})"}
    return {
        "file": name,
        "code": imported.code,
        "version": imported.number,
        "state": imported.state,
        "blocks": imported.blocks,
        "history": imported.history,
        "created": imported.created,
        "guessed": sorted(parsed.guessed),
        "notes": [str(note) for note in parsed.notes],
        "listed": listed,
        "document_id": imported.document_id,
    }


def start_batch(
    session: Session,
    actor: Any,
    entries: list[Entry],
    listing: Listing | None,
    uploaded: list[str],
) -> ImportBatch:
    """A batch row and its trail event in the caller's transaction; the files are imported on
    a thread once it commits (a rolled-back start imports nothing)."""
    require(actor, Permission.DOCUMENT_IMPORT)
    batch = ImportBatch(started_by_id=actor.id, total=len(entries), report=[])
    session.add(batch)
    session.flush()
    trail.record(
        session,
        TrailAction.DOCUMENT_IMPORT_BATCH,
        "import_batch",
        batch.id,
        actor=actor,
        after={
            "files": uploaded,
            "entries": len(entries),
            "master_list": listing.name if listing is not None else "",
        },
    )
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    batch_id, actor_id = batch.id, actor.id

    def launch() -> None:
        threading.Thread(
            target=run_batch,
            args=(app, batch_id, actor_id, entries, listing),
            name=f"qms-import-batch-{batch_id}",
            daemon=True,
        ).start()

    after_commit(session, f"import_batch:{batch_id}", launch)
    return batch


def run_batch(
    app: Flask, batch_id: int, actor_id: int, entries: list[Entry], listing: Listing | None
) -> None:
    """The thread's work: a fresh app context, so a session of its own."""
    with app.app_context():
        session = db.session
        try:
            _run(session, app.extensions["qms_store"], batch_id, actor_id, entries, listing)
        except Exception:
            log.exception("bulk import %s stopped", batch_id)
            session.rollback()
            _end(session, batch_id, BatchState.INTERRUPTED)


def _run(
    session: Session,
    store: BlobStore,
    batch_id: int,
    actor_id: int,
    entries: list[Entry],
    listing: Listing | None,
) -> None:
    actor = session.get(User, actor_id)
    report: list[dict[str, Any]] = []
    for name, load in entries:
        report.append(import_one(session, store, actor, name, load(), listing))
        if not _progress(session, batch_id, report):
            return  # declared interrupted meanwhile (a stall): what it says stands
    _end(session, batch_id, BatchState.DONE)


def _running(batch_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(ImportBatch.id == batch_id, ImportBatch.state == BatchState.RUNNING)


def _progress(session: Session, batch_id: int, report: list[dict[str, Any]]) -> bool:
    moved = session.execute(
        sa.update(ImportBatch)
        .where(_running(batch_id))
        .values(
            done=len(report),
            failed=sum(1 for row in report if "error" in row),
            report=list(report),
            heartbeat_at=utcnow(),
        )
    )
    session.commit()
    return rowcount(moved) == 1


def _end(session: Session, batch_id: int, state: BatchState) -> None:
    now = utcnow()
    session.execute(
        sa.update(ImportBatch)
        .where(_running(batch_id))
        .values(state=state, finished_at=now, heartbeat_at=now)
    )
    session.commit()


def mark_stalled(session: Session) -> None:
    """Batches whose thread died with its process: interrupted, their report as it stands.
    The caller commits."""
    now = utcnow()
    stalled = sa.and_(
        ImportBatch.state == BatchState.RUNNING, ImportBatch.heartbeat_at < now - STALE_AFTER
    )
    # Looked for first: on SQLite even an UPDATE that matches nothing takes the write lock, and
    # every read of a batch page comes here.
    if session.scalar(sa.select(sa.exists().where(stalled))):
        session.execute(
            sa.update(ImportBatch)
            .where(stalled)
            .values(state=BatchState.INTERRUPTED, finished_at=now)
        )


def visible_batch(session: Session, batch_id: int, actor: Any) -> ImportBatch:
    """The batch, for its starter or whoever may import; NotFound for anyone else."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or (
        batch.started_by_id != actor.id and not can(actor, Permission.DOCUMENT_IMPORT)
    ):
        raise NotFound(str(_l("Import not found.")))
    return batch
