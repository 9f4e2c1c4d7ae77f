"""Storing and reading blobs: the file goes to the store, the row and the trail event to the db."""

from __future__ import annotations

import unicodedata
from typing import Any, BinaryIO

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from qms.blobs import filetypes
from qms.blobs.models import DEFAULT_MEDIA_TYPE, Blob
from qms.core.db import utcnow
from qms.core.errors import NotFound, ValidationFailed
from qms.core.storage import BlobMissing, BlobStore, is_blob_address
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail


def _insert_if_new(session: Session, sha256: str, size: int, media_type: str) -> bool:
    """Insert the row unless it exists; True when this call inserted it."""
    values = {"sha256": sha256, "size": size, "media_type": media_type, "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        # ON CONFLICT DO NOTHING: two requests storing the same bytes at once both succeed,
        # where "look, then insert" would make the slower one fail on the primary key.
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        stmt = (
            insert(Blob)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(Blob.sha256)
        )
        # RETURNING, not rowcount: psycopg reports no usable rowcount for this statement.
        return session.execute(stmt).scalar() is not None
    if session.get(Blob, sha256) is not None:
        return False
    session.add(Blob(**values))
    session.flush()
    return True


def store_blob(
    session: Session,
    store: BlobStore,
    data: bytes | BinaryIO,
    media_type: str = DEFAULT_MEDIA_TYPE,
    *,
    actor: Any = None,
) -> Blob:
    """Put the bytes in the store and record them; storing known bytes again changes nothing."""
    # The file goes first: a rolled-back transaction then leaves at worst an unreferenced file
    # (fsck warns), never a row whose file is missing.
    sha256, size = store.put(data)
    media_type = (media_type or DEFAULT_MEDIA_TYPE).strip()[:127]
    if _insert_if_new(session, sha256, size, media_type):
        trail.record(
            session,
            TrailAction.BLOB_STORE,
            "blob",
            sha256,
            actor=actor,
            after={"sha256": sha256, "size": size, "media_type": media_type},
        )
    session.flush()
    blob = session.get(Blob, sha256)
    assert blob is not None
    return blob


def shown_filename(filename: str | None) -> str:
    """The name a file is shown and downloaded by: its last path part, without control
    characters (CR, LF, NUL...), at most 255 characters; "" when nothing is left."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    return name.strip(" .")[:255]


def store_upload(
    session: Session,
    store: BlobStore,
    data: bytes | BinaryIO,
    filename: str,
    media_type: str,
    *,
    actor: Any = None,
) -> tuple[str, Blob]:
    """An uploaded evidence file: the name it is shown by (never used as a path) and its blob."""
    name = shown_filename(filename)
    if not name:
        raise ValidationFailed(str(_l("Choose a file.")), field="file")
    content = data if isinstance(data, bytes) else data.read()
    if not content:
        raise ValidationFailed(str(_l("The file is empty.")), field="file")
    # The bytes say what the file is; the declared type and the name's extension do not.
    del media_type
    allow_macros = bool(has_app_context() and current_app.config.get("QMS_UPLOAD_ALLOW_MACROS"))
    checked = filetypes.checked_media_type(content, name, allow_macros=allow_macros)
    return name, store_blob(session, store, content, checked, actor=actor)


def read_blob(session: Session, store: BlobStore, sha256: str) -> bytes:
    """The bytes of a recorded blob, verified; NotFound for an unknown address."""
    if not is_blob_address(sha256) or session.get(Blob, sha256) is None:
        raise NotFound(str(_l("File not found.")))
    try:
        return store.get(sha256)
    except BlobMissing:
        raise NotFound(str(_l("File not found."))) from None
