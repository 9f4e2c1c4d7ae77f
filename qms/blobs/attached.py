"""Files attached to records (version attachments, nonconformity and audit evidence): storing
one, and the headers it is downloaded with. Each domain checks who may attach and records its
own trail event; the storing and the serving are the same everywhere."""

from __future__ import annotations

import unicodedata
from typing import Any, BinaryIO, TypeVar
from urllib.parse import quote

from sqlalchemy.orm import Session

from qms.blobs.models import AttachedFile
from qms.blobs.services import shown_filename, store_upload
from qms.core.storage import BlobStore

F = TypeVar("F", bound=AttachedFile)

# Media types a browser could run as a page or script: always served as plain bytes.
ACTIVE_TYPES = ("html", "xml", "svg", "javascript", "ecmascript")


def attach_file(
    session: Session,
    store: BlobStore,
    actor: Any,
    file_class: type[F],
    *,
    data: bytes | BinaryIO,
    filename: str,
    media_type: str,
    **owner: Any,
) -> F:
    """Store the upload (checked by its bytes) and add a `file_class` row for it, flushed."""
    name, blob = store_upload(session, store, data, filename, media_type, actor=actor)
    columns: dict[str, Any] = {
        "blob_sha256": blob.sha256,
        "filename": name,
        "media_type": blob.media_type,
        "size": blob.size,
        "added_by_id": actor.id,
    }
    attached = file_class(**columns, **owner)
    session.add(attached)
    session.flush()
    return attached


def download_headers(attached: AttachedFile) -> dict[str, str]:
    """Headers that make a browser save the file, never run or render it in the app's origin."""
    media_type = (attached.media_type or "").lower()
    if not media_type or any(word in media_type for word in ACTIVE_TYPES):
        media_type = "application/octet-stream"
    return {
        "Content-Type": media_type,
        "Content-Disposition": content_disposition(attached.filename),
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
