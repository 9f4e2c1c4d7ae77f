"""Document control in the API: thin endpoints over the services the pages use.

Reads go through qms.documents.queries (hidden → 404), changes through authoring and approval,
so permissions, guards, signatures and trail events are the pages' own. POST and PATCH need no
CSRF token: the blueprint accepts only bearer tokens, never cookies (see qms.api.views).
"""

from __future__ import annotations

import io
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l

from qms.api.blueprint import api
from qms.api.dates import parse_date
from qms.api.models.document_bodies import DocumentCreate, DraftUpdate
from qms.api.models.documents import Document as DocumentOut
from qms.api.models.documents import (
    DocumentList,
    DocumentTypeList,
    HistoryRow,
    SignedVersion,
    Version,
    VersionHistory,
)
from qms.api.models.documents import DocumentType as DocumentTypeOut
from qms.api.models.documents import Signature as SignatureOut
from qms.api.registry import Query
from qms.blobs.services import read_blob
from qms.core.db import db
from qms.core.errors import NotFound, ValidationFailed
from qms.core.permissions import Permission
from qms.documents import authoring, queries
from qms.documents.history import version_history
from qms.documents.models import (
    Attachment,
    Document,
    DocumentType,
    DocumentVersion,
    Signature,
    SignatureMeaning,
)
from qms.processes.models import Process
from qms.users.models import User

P = Permission
T = TypeVar("T")
# What a reader without the document's history sees of a version's signatures: the
# Elaboró / Revisó / Aprobó block of its last round, as printed on every copy.
M = SignatureMeaning
_PRINTED_MEANINGS = {M.AUTHORED, M.REVIEWED, M.APPROVED}


def _shown_signatures(actor: User, version: DocumentVersion) -> list[Signature]:
    signatures = list(
        db.session.scalars(
            sa.select(Signature).where(Signature.version_id == version.id).order_by(Signature.id)
        )
    )
    if queries.can_see_history(actor, version.document):
        return signatures
    return [s for s in signatures if s.round == version.round and s.meaning in _PRINTED_MEANINGS]


def version_model(actor: User, version: DocumentVersion) -> Version:
    # Services add signatures and attachments by id, not through the collections: reload them.
    db.session.expire(version, ["attachments", "signatures"])
    return Version.of(version, _shown_signatures(actor, version))


def document_model(actor: User, document: Document) -> DocumentOut:
    under_way = queries.open_version(db.session, document.id)
    if under_way is not None and not queries.can_see_version(actor, under_way):
        under_way = None
    return DocumentOut.of(
        document,
        in_force=queries.version_in_force(db.session, document.id),
        open_version=under_way,
        next_review_on=queries.next_review_on(db.session, document),
    )


def document_payload(actor: User, document: Document) -> dict[str, Any]:
    """The document's JSON as the API answers it."""
    return document_model(actor, document).model_dump(mode="json")


def signed_model(actor: User, signature: Signature) -> SignedVersion:
    version = db.session.get(DocumentVersion, signature.version_id)
    assert version is not None
    return SignedVersion(
        signature=SignatureOut.of(signature), version=version_model(actor, version)
    )


# --- Reading -------------------------------------------------------------------------------


@api.route(
    "/document-types",
    summary="Document types in use",
    response=DocumentTypeList,
    permission=P.DOCUMENT_READ,
)
def document_types(actor: User) -> DocumentTypeList:
    return DocumentTypeList(items=[DocumentTypeOut.of(t) for t in queries.list_types(db.session)])


@api.route(
    "/documents",
    summary="Documents the token's owner may see",
    response=DocumentList,
    permission=P.DOCUMENT_READ,
    params=[
        Query("process", "string", "A process code, e.g. `AC`."),
        Query("type", "string", "A document type key, e.g. `procedure`."),
        Query("q", "string", "Part of the code or title."),
    ],
)
def documents(actor: User, process: str | None, type: str | None, q: str | None) -> DocumentList:
    """The version in force is today's, derived (qms.documents.in_force)."""
    stmt = sa.select(Document).where(queries.document_visibility(actor, db.session))
    if process:
        stmt = stmt.join(Process, Process.id == Document.process_id)
        stmt = stmt.where(Process.code == process.upper())
    if type:
        stmt = stmt.join(DocumentType, DocumentType.id == Document.type_id)
        stmt = stmt.where(DocumentType.key == type)
    if q:
        words = q.lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Document.code).contains(words, autoescape=True),
                sa.func.lower(Document.title).contains(words, autoescape=True),
            )
        )
    found = db.session.scalars(stmt.order_by(Document.code)).unique().all()
    return DocumentList(items=[document_model(actor, d) for d in found])


@api.route(
    "/documents/<int:document_id>",
    summary="One document: code, version in force, next review",
    response=DocumentOut,
    permission=P.DOCUMENT_READ,
)
def document(actor: User, document_id: int) -> DocumentOut:
    return document_model(actor, queries.get_document(db.session, actor, document_id))


@api.route(
    "/documents/<int:document_id>/versions",
    summary="The version-history table of a document (visible versions, newest first)",
    response=VersionHistory,
    permission=P.DOCUMENT_READ,
)
def document_versions(actor: User, document_id: int) -> VersionHistory:
    found = queries.get_document(db.session, actor, document_id)
    rows = version_history(db.session, actor, found)
    return VersionHistory(items=[HistoryRow.of(r) for r in rows])


@api.route(
    "/versions/<int:version_id>",
    summary="One version: content blocks, state, signatures, attachments",
    response=Version,
    permission=P.DOCUMENT_READ,
)
def version(actor: User, version_id: int) -> Version:
    return version_model(actor, queries.get_version(db.session, actor, version_id))


@api.route(
    "/versions/<int:version_id>/attachments/<int:attachment_id>",
    summary="The bytes of a version's attachment",
    response="Binary",
    permission=P.DOCUMENT_READ,
    media_type="*/*",
)
def attachment(actor: User, version_id: int, attachment_id: int) -> Response:
    """The file's own media type; always offered as a download, never rendered inline."""
    found = queries.get_version(db.session, actor, version_id)
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.version_id != found.id:
        raise NotFound(str(_l("File not found.")))
    data = read_blob(db.session, current_app.extensions["qms_store"], item.blob_sha256)
    return send_file(
        io.BytesIO(data),
        mimetype=item.media_type,
        as_attachment=True,
        download_name=item.filename,
    )


# --- Authoring -----------------------------------------------------------------------------


def _type_id(body: DocumentCreate) -> int | None:
    if body.type_id is not None or not body.type:
        return body.type_id
    found = db.session.scalar(sa.select(DocumentType.id).where(DocumentType.key == body.type))
    if found is None:
        raise ValidationFailed(str(_l("Choose a document type.")), field="type")
    return found


def _process_id(body: DocumentCreate) -> int | None:
    if body.process_id is not None or not body.process:
        return body.process_id
    code = body.process.upper()
    found = db.session.scalar(sa.select(Process.id).where(Process.code == code))
    if found is None:
        raise ValidationFailed(str(_l("Choose an active process.")), field="process")
    return found


@api.route(
    "/documents",
    method="POST",
    summary="Create a document; its code is generated and a first draft opens",
    response=DocumentOut,
    permission=P.DOCUMENT_CREATE,
    own=True,
    body=DocumentCreate,
)
def create_document(actor: User, body: DocumentCreate) -> DocumentOut:
    created = authoring.create_document(
        db.session,
        actor,
        type_id=_type_id(body),  # None: the service says which field
        process_id=_process_id(body),
        title=body.title,
        owner_id=body.owner_id,
        parent_id=body.parent_id,
        review_interval_months=body.review_interval_months,
        retention_years=body.retention_years,
        external_source=body.external_source,
        external_edition=body.external_edition,
        next_verification_on=parse_date(body, "next_verification_on"),
    )
    return document_model(actor, created)


@api.route(
    "/versions/<int:version_id>",
    method="PATCH",
    summary="Edit a draft: its content blocks and/or change summary",
    response=Version,
    permission=P.DOCUMENT_EDIT,
    own=True,
    body=DraftUpdate,
)
def edit_draft(actor: User, version_id: int, body: DraftUpdate) -> Version:
    edited = authoring.update_draft(
        db.session,
        actor,
        version_id,
        content=body.content,
        change_summary=body.change_summary,
    )
    return version_model(actor, edited)


@api.route(
    "/documents/<int:document_id>/versions",
    method="POST",
    summary="Start the next version as a draft copy of the version in force",
    response=Version,
    permission=P.DOCUMENT_EDIT,
    own=True,
)
def start_draft(actor: User, document_id: int) -> Version:
    queries.get_document(db.session, actor, document_id)  # hidden → 404 before 403
    return version_model(actor, authoring.start_draft(db.session, actor, document_id))


# --- Lifecycle: each signature re-authenticates with the token owner's password ------------
