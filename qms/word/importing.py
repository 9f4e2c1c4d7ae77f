"""A Word file brought in as a document with its history (a quality lead's migration), or as a
new draft of a document already here.

A new document keeps the code found in the file (the type's pattern is for new documents), its
real version number and effective date, which may be past; each earlier row of the file's
history table becomes an earlier version, superseded, marked as imported and carrying the
names of its history row, never an e-signature. The version in force holds the file's blocks
and, as an attachment, the file itself. All of it, with the processes and types created on
the way, is one transaction with one `document:import` trail event: a failure leaves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.blobs.attached import attach_file
from qms.blobs.filetypes import DOCX
from qms.core.db import utcnow
from qms.core.errors import Conflict, ValidationFailed
from qms.core.localtime import local_today
from qms.core.permissions import Permission, require
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.documents import blocks as content_blocks
from qms.documents.codes import CODE_RE
from qms.documents.integrity import stored_hash
from qms.documents.models import (
    Attachment,
    Document,
    DocumentVersion,
    Origin,
    SignatureMeaning,
    VersionState,
)
from qms.documents.queries import get_document, open_version
from qms.documents.taking_effect import apply_due_transitions
from qms.trail import services as trail
from qms.word.parsed import Parsed, Person
from qms.word.placing import process_for, type_for

S = VersionState
MAX_VERSION = 999


@dataclass
class Imported:
    """What one file became, for the report."""

    document_id: int
    code: str
    version_id: int
    number: int
    state: str
    blocks: dict[str, int]  # block kind → how many
    history: int  # earlier versions made from the history table
    # Processes and types made on the way: "process:GCR", "document_type:protocolo".
    created: list[str] = field(default_factory=list)


def import_document(
    session: Session,
    store: BlobStore,
    actor: Any,
    parsed: Parsed,
    *,
    data: bytes,
    filename: str,
    type_id: int | None = None,
    process_id: int | None = None,
) -> Imported:
    """A new document from `parsed` (see the module); `type_id` and `process_id`, when given,
    stand for what the file names. The caller commits."""
    require(actor, Permission.DOCUMENT_IMPORT)
    code = _clean_code(parsed.code)
    title = (parsed.title or "").strip()[:300]
    if not title:
        raise ValidationFailed(str(_l("The file gives no title.")), field="title")
    content = content_blocks.clean_blocks(parsed.blocks)
    number = 1 if parsed.number is None else parsed.number
    if not 1 <= number <= MAX_VERSION:
        raise ValidationFailed(str(_l("The version number is not valid.")), field="number")
    today = local_today()
    effective_from = parsed.effective_from or today
    if session.scalar(sa.select(Document.id).where(Document.code == code)) is not None:
        raise Conflict(
            str(
                _l(
                    "A document with the code %(code)s already exists: import the file as a "
                    "new draft of it.",
                    code=code,
                )
            ),
            field="code",
        )
    created: list[str] = []
    process = process_for(session, actor, parsed, process_id, created)
    doc_type = type_for(session, actor, parsed, type_id, created)
    document = Document(
        code=code,
        title=title,
        type_id=doc_type.id,
        process_id=process.id,
        owner_id=actor.id,
        origin=Origin.EXTERNAL if doc_type.is_external else Origin.INTERNAL,
        review_interval_months=doc_type.review_interval_months,
        created_by_id=actor.id,
    )
    session.add(document)
    session.flush()
    now = utcnow()
    earlier = sorted(
        (row for row in parsed.history if 1 <= row.number < number),
        key=lambda row: row.number,
    )
    seen: set[int] = set()
    for row in earlier:
        if row.number in seen:
            continue
        seen.add(row.number)
        session.add(
            DocumentVersion(
                document_id=document.id,
                number=row.number,
                state=S.SUPERSEDED,
                change_summary=row.description[:2000],
                content=[],
                content_sha256=content_blocks.content_hash([]),
                effective_from=row.on,
                author_id=actor.id,
                created_at=now,
                superseded_at=now,
                imported_at=now,
                imported_signers=[_signer(Person(SignatureMeaning.AUTHORED, row.who))]
                if row.who
                else [],
            )
        )
    own_row = next((row for row in parsed.history if row.number == number), None)
    in_force = effective_from <= today
    version = DocumentVersion(
        document_id=document.id,
        number=number,
        state=S.DRAFT,
        change_summary=(own_row.description if own_row else str(_l("Imported from Word.")))[:2000],
        content=content,
        effective_from=effective_from,
        author_id=actor.id,
        created_at=now,
        imported_at=now,
        imported_signers=[_signer(person) for person in parsed.people],
    )
    session.add(version)
    session.flush()
    # Files attach to drafts only (the database says so): the file first, then the version
    # frozen with the hash of what the database holds, as a submission freezes a draft.
    attachment = _attach_original(session, store, actor, version.id, data, filename)
    conditional_update(session, DocumentVersion, version.id, S.DRAFT, {})
    session.refresh(version, ["content"])
    digest = stored_hash(session, version)
    conditional_update(
        session,
        DocumentVersion,
        version.id,
        S.DRAFT,
        {
            "state": S.EFFECTIVE if in_force else S.APPROVED,
            "content_sha256": digest,
            "approved_at": now,
            "effective_at": now if in_force else None,
        },
    )
    session.refresh(version)
    trail.record(
        session,
        TrailAction.DOCUMENT_IMPORT,
        "document",
        document.id,
        actor=actor,
        after={
            "code": code,
            "title": title,
            "type": doc_type.key,
            "process": process.code,
            "version": version.id,
            "number": number,
            "state": str(version.state),
            "effective_from": effective_from.isoformat(),
            "history": sorted(seen),
            "file": attachment.filename,
            "sha256": attachment.blob_sha256,
            "content_sha256": digest,
            "created": created,
            "guessed": sorted(parsed.guessed),
            "corrected": parsed.corrected,
        },
    )
    return _report(document, version, content, len(seen), created)


def import_draft(
    session: Session,
    store: BlobStore,
    actor: Any,
    document_id: int,
    parsed: Parsed,
    *,
    data: bytes,
    filename: str,
) -> Imported:
    """The file's blocks as the next draft of a document already here, to go through review
    and approval like any draft; the file is attached to it."""
    document = get_document(session, actor, document_id)  # hidden → 404 before anything
    require(actor, Permission.DOCUMENT_EDIT, document)
    content = content_blocks.clean_blocks(parsed.blocks)
    apply_due_transitions(session, document_id=document.id)
    if open_version(session, document.id) is not None:
        raise Conflict(str(_l("This document already has a version in progress.")))
    number = max((v.number for v in document.versions), default=0) + 1
    draft = DocumentVersion(
        document_id=document.id,
        number=number,
        state=S.DRAFT,
        content=content,
        change_summary=str(_l("Imported from Word.")),
        author_id=actor.id,
    )
    session.add(draft)
    session.flush()  # the one-open-version index turns a racing draft into a conflict here
    attachment = _attach_original(session, store, actor, draft.id, data, filename)
    trail.record(
        session,
        TrailAction.DOCUMENT_IMPORT,
        "document_version",
        draft.id,
        actor=actor,
        after={
            "code": document.code,
            "number": number,
            "file": attachment.filename,
            "sha256": attachment.blob_sha256,
            "guessed": sorted(parsed.guessed),
            "corrected": parsed.corrected,
        },
    )
    return _report(document, draft, content, 0, [])


def _attach_original(
    session: Session, store: BlobStore, actor: Any, version_id: int, data: bytes, filename: str
) -> Attachment:
    """The Word file itself, kept with the version it became."""
    return attach_file(
        session,
        store,
        actor,
        Attachment,
        data=data,
        filename=filename,
        media_type=DOCX,
        version_id=version_id,
    )


def _report(
    document: Document,
    version: DocumentVersion,
    content: list[dict[str, Any]],
    history: int,
    created: list[str],
) -> Imported:
    kinds: dict[str, int] = {}
    for block in content:
        kinds[block["kind"]] = kinds.get(block["kind"], 0) + 1
    return Imported(
        document_id=document.id,
        code=document.code,
        version_id=version.id,
        number=version.number,
        state=str(version.state),
        blocks=kinds,
        history=history,
        created=created,
    )


def _clean_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise ValidationFailed(str(_l("The file gives no document code.")), field="code")
    if not CODE_RE.match(code):
        raise ValidationFailed(
            str(
                _l(
                    "The code %(code)s is not valid: up to 40 letters, digits, '.', '_' or '-'.",
                    code=code,
                )
            ),
            field="code",
        )
    return code


def _signer(person: Person) -> dict[str, Any]:
    return {
        "meaning": str(person.meaning),
        "name": person.name.strip()[:200],
        "job_title": person.job_title.strip()[:200],
        "on": person.on.isoformat() if isinstance(person.on, date) else None,
    }
