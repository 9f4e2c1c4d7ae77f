"""Whether a version still holds the content its signatures cover.

The submit freezes a version with the hash of its blocks and files; every later step that
relies on that content (review, approval, taking effect, printing) first recomputes the hash
from what the database holds now. A mismatch means the stored content was changed behind the
application's back: the step is refused with a clear message and the refusal is recorded.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import DomainError
from qms.core.trail_actions import TrailAction
from qms.documents.blocks import content_hash
from qms.documents.models import Attachment, DocumentVersion, VersionState
from qms.trail import services as trail
from qms.trail.models import TrailEvent

REFUSED = TrailAction.DOCUMENT_INTEGRITY_REFUSED


class ContentAltered(DomainError):
    """The stored content no longer hashes to what was signed: nothing may rely on it."""

    status_code = 409
    code = "content_altered"
    recorded = True


def stored_hash(session: Session, version: DocumentVersion) -> str:
    """The hash of what the database holds for this version now (blocks and files)."""
    files = session.scalars(
        sa.select(Attachment.blob_sha256).where(Attachment.version_id == version.id)
    )
    return content_hash(version.content, list(files))


def ensure_intact(
    session: Session, version: DocumentVersion, actor: Any, operation: str, *, once: bool = False
) -> None:
    """ContentAltered (and a trail event) when a frozen version's content no longer matches
    its recorded hash. Drafts have no frozen content and always pass.

    `once`: record the refusal only the first time for this version and this content (the
    daily tick and every list read retry taking effect; one event says it).
    """
    if version.state == VersionState.DRAFT:
        return
    found = stored_hash(session, version)
    if found == version.content_sha256:
        return
    after = {
        "operation": operation,
        "document": version.document.code,
        "number": version.number,
        "recorded_sha256": version.content_sha256,
        "found_sha256": found,
    }
    if not (once and _already_recorded(session, version.id, found)):
        trail.record(session, REFUSED, "document_version", version.id, actor=actor, after=after)
    raise ContentAltered(
        str(
            _l(
                "The content of %(code)s v%(number)d no longer matches the hash its signatures "
                "cover; it was changed outside the application. Nothing was done: tell the "
                "quality lead (qms signatures verify names the change).",
                code=version.document.code,
                number=version.number,
            )
        )
    )


def _already_recorded(session: Session, version_id: int, found: str) -> bool:
    events = session.scalars(
        sa.select(TrailEvent.after).where(
            TrailEvent.action == REFUSED, TrailEvent.object_id == str(version_id)
        )
    )
    return any(found in (after or "") for after in events)
