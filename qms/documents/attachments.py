"""Attachments of versions: reading one through the visibility rules, removing one from a draft."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.blobs.services import read_blob
from qms.core.errors import Conflict, NotFound
from qms.core.permissions import Permission, require
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.documents.models import Attachment, DocumentVersion, VersionState
from qms.documents.queries import get_version
from qms.trail import services as trail


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
        TrailAction.DOCUMENT_DETACH,
        "document_version",
        version.id,
        actor=actor,
        before=details,
        after={"document": version.document.code, "number": version.number},
    )
    return version
