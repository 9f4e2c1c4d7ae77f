"""Attachments of versions: reading one through the visibility rules, removing one from a draft."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.blobs.services import read_blob, shown_filename
from qms.core.errors import Conflict, NotFound
from qms.core.permissions import Permission, require
from qms.core.storage import BlobStore
from qms.core.workflow import conditional_update
from qms.documents.models import Attachment, DocumentVersion, VersionState
from qms.documents.queries import get_version
from qms.trail import services as trail

# Media types a browser could run as a page or script: always served as plain bytes.
ACTIVE_TYPES = ("html", "xml", "svg", "javascript", "ecmascript")


def get_attachment(session: Session, actor: Any, attachment_id: int) -> Attachment:
    """The attachment, when the actor may see its version; NotFound otherwise."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(str(_l("File not found.")))
    get_version(session, actor, attachment.version_id)
    return attachment


def read_attachment(
    session: Session, store: BlobStore, actor: Any, attachment_id: int
) -> tuple[Attachment, bytes]:
    """The attachment and its verified bytes."""
    attachment = get_attachment(session, actor, attachment_id)
    return attachment, read_blob(session, store, attachment.blob_sha256)


def remove_attachment(session: Session, actor: Any, attachment_id: int) -> DocumentVersion:
    """Take a file off a draft (the blob stays: other versions may share it); returns the draft."""
    attachment = get_attachment(session, actor, attachment_id)
    version = attachment.version
    require(actor, Permission.DOCUMENT_EDIT, version.document)
    if version.state != VersionState.DRAFT:
        raise Conflict(str(_l("Only a draft can be edited; this version was submitted.")))
    # Lock the draft in its state: a submission racing with us either waits or wins (409).
    conditional_update(session, DocumentVersion, version.id, VersionState.DRAFT, {})
    details = {
        "attachment": attachment.id,
        "filename": attachment.filename,
        "sha256": attachment.blob_sha256,
    }
    session.delete(attachment)
    session.flush()
    trail.record(
        session,
        "document:detach",
        "document_version",
        version.id,
        actor=actor,
        before=details,
        after={"document": version.document.code, "number": version.number},
    )
    return version


def download_headers(attachment: Attachment) -> dict[str, str]:
    """Headers that make a browser save the file, never run or render it in the app's origin."""
    media_type = (attachment.media_type or "").lower()
    if not media_type or any(word in media_type for word in ACTIVE_TYPES):
        media_type = "application/octet-stream"
    return {
        "Content-Type": media_type,
        "Content-Disposition": content_disposition(attachment.filename),
        "X-Content-Type-Options": "nosniff",
        # Even if a browser ignored the disposition, the file would run in an empty sandbox.
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the UTF-8 name per RFC 5987."""
    name = shown_filename(filename) or "file"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isalnum() or c in "-_.() " else "_" for c in ascii_name)
    ascii_name = ascii_name.strip(" .") or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
