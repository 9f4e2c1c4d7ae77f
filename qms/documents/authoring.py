"""Creating documents and editing drafts: metadata, content blocks, attachments, codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.blobs.attached import attach_file
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.sequence import add_numbered
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.documents import blocks, codes
from qms.documents.models import (
    Attachment,
    Document,
    DocumentType,
    DocumentVersion,
    Origin,
    VersionState,
)
from qms.documents.queries import get_document, get_version, open_version, version_in_force
from qms.documents.taking_effect import apply_due_transitions
from qms.documents.types import clean_orientation
from qms.processes.models import Process
from qms.trail import services as trail
from qms.users.models import User

P = Permission
MAX_TITLE = 300


@dataclass(frozen=True)
class _InProcess:
    """Ownership of a process for the own-variant checks: its leader and its members."""

    process: Process

    def is_owned_by(self, user_id: int) -> bool:
        return self.process.leader_id == user_id or any(
            m.id == user_id for m in self.process.members
        )


def _load(session: Session, model: Any, obj_id: int | None, message: Any, field: str) -> Any:
    obj = session.get(model, obj_id) if obj_id is not None else None
    if obj is None:
        raise ValidationFailed(str(message), field=field)
    return obj


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(str(_l("The title is required.")), field="title")
    if len(title) > MAX_TITLE:
        raise ValidationFailed(str(_l("The title is too long.")), field="title")
    return title


def create_document(
    session: Session,
    actor: Any,
    *,
    type_id: int | None,
    process_id: int | None,
    title: str,
    code: str = "",
    owner_id: int | None = None,
    parent_id: int | None = None,
    review_interval_months: int | None = None,
    retention_years: int = 5,
    external_source: str = "",
    external_edition: str = "",
    next_verification_on: date | None = None,
    change_request_id: int | None = None,
    author_id: int | None = None,
    bypass_permission: bool = False,
) -> Document:
    """A new document with its code generated from the type's pattern (or `code`, the one it
    already has, e.g. O.BP.C10) and a first draft. A missing (None) or unknown type or
    process is refused as an error on its field."""
    process = _load(session, Process, process_id, _l("Choose an active process."), "process_id")
    if not process.active:
        raise ValidationFailed(str(_l("Choose an active process.")), field="process_id")
    if not bypass_permission:
        require(actor, P.DOCUMENT_CREATE, _InProcess(process))
    doc_type = _load(session, DocumentType, type_id, _l("Choose a document type."), "type_id")
    if not doc_type.active:
        raise ValidationFailed(str(_l("Choose a document type.")), field="type_id")
    owner = _load(
        session,
        User,
        owner_id if owner_id is not None else getattr(actor, "id", None),
        _l("The owner must be an active user."),
        "owner_id",
    )
    if not owner.active:
        raise ValidationFailed(str(_l("The owner must be an active user.")), field="owner_id")
    parent = session.get(Document, parent_id) if parent_id else None
    if parent_id and parent is None:
        raise ValidationFailed(str(_l("Parent document not found.")), field="parent_id")
    given_code = codes.clean_code(code) if (code or "").strip() else ""
    if given_code and codes.is_taken(session, given_code):
        raise ValidationFailed(
            str(_l("The code %(code)s is taken by another document.", code=given_code)),
            field="code",
        )
    interval = review_interval_months or doc_type.review_interval_months
    if not 1 <= interval <= 120 or not 0 <= retention_years <= 100:
        raise ValidationFailed(str(_l("Review interval 1–120 months; retention 0–100 years.")))
    document = Document(
        code="",
        title=_clean_title(title),
        type_id=doc_type.id,
        process_id=process.id,
        owner_id=owner.id,
        parent_id=parent.id if parent else None,
        origin=Origin.EXTERNAL if doc_type.is_external else Origin.INTERNAL,
        review_interval_months=interval,
        retention_years=retention_years,
        external_source=(external_source or "").strip()[:300],
        external_edition=(external_edition or "").strip()[:100],
        next_verification_on=next_verification_on,
        created_by_id=getattr(actor, "id", None),
    )

    def numbered() -> Document:
        if given_code:
            document.code = given_code
            return document
        document.code = codes.next_code(
            session,
            doc_type.code_pattern,
            process=process.code,
            type=doc_type.abbreviation,
            parent=parent.code if parent else None,
        )
        return document

    add_numbered(session, numbered)
    code = document.code
    version = DocumentVersion(
        document_id=document.id,
        number=1,
        state=VersionState.DRAFT,
        content=blocks.default_blocks(doc_type.default_blocks, doc_type.key),
        author_id=author_id or (owner.id if actor is None else actor.id),
        change_request_id=change_request_id,
    )
    session.add(version)
    session.flush()
    trail.record(
        session,
        TrailAction.DOCUMENT_CREATE,
        "document",
        document.id,
        actor=actor,
        after={
            "code": code,
            "title": document.title,
            "type": doc_type.key,
            "process": process.code,
            "owner": owner.username,
            "draft_version": version.id,
        },
    )
    return document


def start_draft(
    session: Session,
    actor: Any,
    document_id: int,
    *,
    change_request_id: int | None = None,
    author_id: int | None = None,
    bypass_permission: bool = False,
) -> DocumentVersion:
    """Open the next version as a copy of the version in force; one open version at a time."""
    if bypass_permission:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(str(_l("Document not found.")))
    else:
        # A document the actor may not see is not found (404), before any other answer.
        document = get_document(session, actor, document_id)
        require(actor, P.DOCUMENT_EDIT, document)
    apply_due_transitions(session, document_id=document.id)
    if open_version(session, document.id) is not None:
        raise Conflict(str(_l("This document already has a version in progress.")))
    current = version_in_force(session, document.id)
    if current is None:
        raise Conflict(str(_l("Only a document in force gets a new version.")))
    number = max(v.number for v in document.versions) + 1
    draft = DocumentVersion(
        document_id=document.id,
        number=number,
        state=VersionState.DRAFT,
        content=[dict(block) for block in current.content],
        author_id=author_id or (actor.id if actor is not None else document.owner_id),
        change_request_id=change_request_id,
        orientation=current.orientation,  # a landscape control plan stays landscape
    )
    session.add(draft)
    session.flush()
    for attachment in current.attachments:
        session.add(
            Attachment(
                version_id=draft.id,
                blob_sha256=attachment.blob_sha256,
                filename=attachment.filename,
                media_type=attachment.media_type,
                size=attachment.size,
                added_by_id=draft.author_id,
            )
        )
    session.flush()
    trail.record(
        session,
        TrailAction.DOCUMENT_START_DRAFT,
        "document_version",
        draft.id,
        actor=actor,
        after={"document": document.code, "number": number, "based_on": current.number},
    )
    return draft


def _editable_draft(session: Session, actor: Any, version_id: int) -> DocumentVersion:
    version = get_version(session, actor, version_id)
    require(actor, P.DOCUMENT_EDIT, version.document)
    if version.state != VersionState.DRAFT:
        raise Conflict(str(_l("Only a draft can be edited; this version was submitted.")))
    return version


def update_draft(
    session: Session,
    actor: Any,
    version_id: int,
    *,
    content: Any = None,
    change_summary: str | None = None,
    orientation: str | None = None,
) -> DocumentVersion:
    """Replace the draft's blocks, change summary and/or printed orientation (validated
    first, all or nothing). `orientation` "portrait" or "landscape"; "" prints as the type
    says; None leaves it. Fixed once submitted, like the content (the immutability guard)."""
    version = _editable_draft(session, actor, version_id)
    values: dict[str, Any] = {}
    if content is not None:
        values["content"] = blocks.clean_blocks(content)
    if change_summary is not None:
        values["change_summary"] = change_summary.strip()[:5000]
    if orientation is not None:
        values["orientation"] = clean_orientation(orientation) if orientation else None
    changed = {k: v for k, v in values.items() if getattr(version, k) != v}
    if not changed:
        return version
    before = {"orientation": version.orientation} if "orientation" in changed else None
    conditional_update(session, DocumentVersion, version.id, VersionState.DRAFT, changed)
    session.refresh(version)
    after: dict[str, Any] = {
        "document": version.document.code,
        "number": version.number,
        "changed": sorted(changed),
    }
    if before is not None:
        after["orientation"] = version.orientation
    trail.record(
        session,
        TrailAction.DOCUMENT_EDIT_DRAFT,
        "document_version",
        version.id,
        actor=actor,
        before=before,
        after=after,
    )
    return version


def add_attachment(
    session: Session,
    store: BlobStore,
    actor: Any,
    version_id: int,
    *,
    data: bytes | BinaryIO,
    filename: str,
    media_type: str,
) -> Attachment:
    """Keep the file in the blob store; the name is only shown, never used as a path."""
    version = _editable_draft(session, actor, version_id)
    # Lock the draft in its state before storing anything: a submission racing with us either
    # waits and hashes this file too, or has won and we get Conflict (409).
    conditional_update(session, DocumentVersion, version.id, VersionState.DRAFT, {})
    attachment = attach_file(
        session,
        store,
        actor,
        Attachment,
        data=data,
        filename=filename,
        media_type=media_type,
        version_id=version.id,
    )
    trail.record(
        session,
        TrailAction.DOCUMENT_ATTACH,
        "document_version",
        version.id,
        actor=actor,
        after={
            "attachment": attachment.id,
            "filename": attachment.filename,
            "sha256": attachment.blob_sha256,
        },
    )
    return attachment


def correct_code(
    session: Session, actor: Any, document_id: int, code: str, reason: str
) -> Document:
    """A quality lead fixes a generated code, until the first approval locks it."""
    document = get_document(session, actor, document_id)
    require(actor, P.DOCUMENT_CORRECT_CODE, document)
    if document.code_locked:
        raise Conflict(str(_l("The code is locked: the document was approved.")))
    if not (reason or "").strip():
        raise ValidationFailed(str(_l("Give a reason.")), field="reason")
    new_code = codes.clean_code(code)
    if new_code == document.code:
        return document
    if session.query(Document.id).filter(Document.code == new_code).first():
        raise Conflict(str(_l("The code %(code)s is taken.", code=new_code)), field="code")
    old = document.code
    document.code = new_code
    session.flush()
    trail.record(
        session,
        TrailAction.DOCUMENT_CORRECT_CODE,
        "document",
        document.id,
        actor=actor,
        before={"code": old},
        after={"code": new_code},
        reason=reason.strip(),
    )
    return document
