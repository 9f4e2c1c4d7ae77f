"""Change requests, document-type administration, attachments, code correction, master list
and "my work" in the API: thin endpoints over the services the pages use, so permissions,
visibility (hidden → 404), guards and trail events are the pages' own.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from qms.api.blueprint import api
from qms.api.documents import document_model, version_model
from qms.api.models.document_extra_bodies import (
    TYPE_FIELDS,
    ChangeRequestAccept,
    ChangeRequestCreate,
    ChangeRequestReject,
    CodeCorrection,
    DocumentTypeCreate,
    DocumentTypeUpdate,
)
from qms.api.models.document_extras import (
    ChangeRequest as ChangeRequestOut,
)
from qms.api.models.document_extras import (
    ChangeRequestList,
    DueReview,
    DueReviewList,
    ManagedDocumentType,
    MasterList,
    MasterListRow,
    MyWork,
    WorkReview,
    WorkVersion,
)
from qms.api.models.documents import Attachment as AttachmentOut
from qms.api.models.documents import Document as DocumentOut
from qms.api.models.documents import Version
from qms.api.registry import Query, checked_upload
from qms.core.db import db
from qms.core.errors import NotFound, ValidationFailed
from qms.core.permissions import Permission
from qms.documents import authoring, queries
from qms.documents import change_requests as requests_
from qms.documents import master_list as ml
from qms.documents import types as types_
from qms.documents.attachments import remove_attachment
from qms.documents.models import Attachment, ChangeRequest, ChangeRequestKind
from qms.documents.my_work import my_work as build_my_work
from qms.users.models import User

P = Permission
K = ChangeRequestKind
_KINDS = tuple(k.value for k in ChangeRequestKind)
_CR_STATES = ("open", "accepted", "rejected", "all")
_FOR_CREATE = ("proposed_title", "proposed_type_id", "proposed_process_id")


# --- Change requests -----------------------------------------------------------------------


def change_request_model(actor: User, found: ChangeRequest) -> ChangeRequestOut:
    """With the versions opened from the request that the reader may see."""
    opened = requests_.versions_of(db.session, found.id)
    seen = [v.id for v in opened if queries.can_see_version(actor, v)]
    return ChangeRequestOut.of(found, seen)


@api.route(
    "/change-requests",
    summary="Change requests: one's own, or all for those who decide (newest first)",
    response=ChangeRequestList,
    permission=P.CHANGE_REQUEST_CREATE,
    params=[
        Query("mine", "boolean", "Only the requests the token's owner filed.", default=False),
        Query("state", "string", "`all` for every state.", enum=_CR_STATES, default="open"),
        Query("kind", "string", "Only requests of this kind.", enum=_KINDS),
    ],
)
def change_requests(actor: User, mine: bool, state: str, kind: str | None) -> ChangeRequestList:
    found = requests_.list_change_requests(
        db.session, actor, mine=mine, state=None if state == "all" else state, kind=kind
    )
    return ChangeRequestList(items=[change_request_model(actor, r) for r in found])


@api.route(
    "/change-requests/<int:request_id>",
    summary="One change request, with the versions opened from it",
    response=ChangeRequestOut,
    permission=P.CHANGE_REQUEST_CREATE,
)
def change_request(actor: User, request_id: int) -> ChangeRequestOut:
    found = requests_.get_change_request(db.session, actor, request_id)
    return change_request_model(actor, found)


@api.route(
    "/change-requests",
    method="POST",
    summary="File a request to create, modify or withdraw a document, with a reason",
    response=ChangeRequestOut,
    permission=P.CHANGE_REQUEST_CREATE,
    body=ChangeRequestCreate,
)
def file_change_request(actor: User, body: ChangeRequestCreate) -> ChangeRequestOut:
    """A creation request names the proposed title, type and process; a modification or a
    withdrawal names a document in force."""
    kind = body.kind
    given = body.model_fields_set
    unused = ("document_id",) if kind == K.CREATE else _FOR_CREATE if kind in _KINDS else ()
    for field in unused:
        if field in given:
            message = _l("This field does not apply to a request of this kind.")
            raise ValidationFailed(str(message), field=field)
    proposed = {name: getattr(body, name) for name in _FOR_CREATE if name in given}
    filed = requests_.file_change_request(
        db.session, actor, kind, body.reason, body.document_id, **proposed
    )
    return change_request_model(actor, filed)


@api.route(
    "/change-requests/<int:request_id>/accept",
    method="POST",
    summary="Accept: the document is created, or a draft opens for its owner",
    response=ChangeRequestOut,
    permission=P.CHANGE_REQUEST_DECIDE,
    body=ChangeRequestAccept,
)
def accept_change_request(
    actor: User, request_id: int, body: ChangeRequestAccept
) -> ChangeRequestOut:
    """An accepted withdrawal still needs the signed withdraw action."""
    accepted = requests_.accept_change_request(db.session, actor, request_id, body.reason)
    return change_request_model(actor, accepted)


@api.route(
    "/change-requests/<int:request_id>/reject",
    method="POST",
    summary="Reject with a reason, which the requester sees",
    response=ChangeRequestOut,
    permission=P.CHANGE_REQUEST_DECIDE,
    body=ChangeRequestReject,
)
def reject_change_request(
    actor: User, request_id: int, body: ChangeRequestReject
) -> ChangeRequestOut:
    rejected = requests_.reject_change_request(db.session, actor, request_id, body.reason)
    return change_request_model(actor, rejected)


# --- Document types ------------------------------------------------------------------------


def _type_values(body: DocumentTypeUpdate) -> dict[str, Any]:
    """The fields the body names (a PATCH changes only those)."""
    blocks = body.default_blocks
    if blocks is not None and not all(isinstance(b, str) for b in blocks):
        message = _l("Unknown block kind: %(kind)s", kind=str(blocks))
        raise ValidationFailed(str(message), field="default_blocks")
    return {name: getattr(body, name) for name in TYPE_FIELDS if name in body.model_fields_set}


@api.route(
    "/document-types",
    method="POST",
    summary="Create a document type: code pattern, default blocks, interval, approval route",
    response=ManagedDocumentType,
    permission=P.DOCUMENT_TYPE_MANAGE,
    body=DocumentTypeCreate,
)
def create_document_type(actor: User, body: DocumentTypeCreate) -> ManagedDocumentType:
    """Without a route, any holder of a role that may sign each stage reviews and approves,
    one signature each (the page's default)."""
    route = {stage: {"roles": types_.stage_roles(stage), "count": 1} for stage in types_.STAGES}
    values = {"route": route, **_type_values(body)}
    created = types_.create_type(db.session, actor, key=body.key, **values)
    return ManagedDocumentType.of(created)


@api.route(
    "/document-types/<int:type_id>",
    method="PATCH",
    summary="Change a document type (not its key); earlier documents keep their codes",
    response=ManagedDocumentType,
    permission=P.DOCUMENT_TYPE_MANAGE,
    body=DocumentTypeUpdate,
)
def update_document_type(
    actor: User, type_id: int, body: DocumentTypeUpdate
) -> ManagedDocumentType:
    current = types_.snapshot(types_.get_type(db.session, type_id))
    values = {name: current[name] for name in TYPE_FIELDS} | _type_values(body)
    return ManagedDocumentType.of(types_.update_type(db.session, actor, type_id, **values))


@api.route(
    "/document-types/<int:type_id>/deactivate",
    method="POST",
    summary="Deactivate a type: no new documents of it; its documents stay",
    response=ManagedDocumentType,
    permission=P.DOCUMENT_TYPE_MANAGE,
)
def deactivate_document_type(actor: User, type_id: int) -> ManagedDocumentType:
    return ManagedDocumentType.of(types_.set_type_active(db.session, actor, type_id, False))


@api.route(
    "/document-types/<int:type_id>/activate",
    method="POST",
    summary="Reactivate a document type",
    response=ManagedDocumentType,
    permission=P.DOCUMENT_TYPE_MANAGE,
)
def activate_document_type(actor: User, type_id: int) -> ManagedDocumentType:
    return ManagedDocumentType.of(types_.set_type_active(db.session, actor, type_id, True))


# --- Attachments and code correction --------------------------------------------------------


@api.route(
    "/versions/<int:version_id>/attachments",
    method="POST",
    summary="Attach a file to a draft: the request body is the file's bytes",
    response=AttachmentOut,
    permission=P.DOCUMENT_EDIT,
    own=True,
    raw_body=True,
    params=[Query("filename", "string", "The file's name (required); shown, never a path.")],
)
def upload_attachment(
    actor: User, version_id: int, body: bytes, filename: str | None
) -> AttachmentOut:
    """Send the raw bytes (not a form) with `Content-Type` set to the file's media type, up
    to the server's upload limit (413 beyond it). Only a draft takes files (409 otherwise)."""
    filename, media_type = checked_upload(body, filename)
    added = authoring.add_attachment(
        db.session,
        current_app.extensions["qms_store"],
        actor,
        version_id,
        data=body,
        filename=filename,
        media_type=media_type,
    )
    return AttachmentOut.of(added)


@api.route(
    "/versions/<int:version_id>/attachments/<int:attachment_id>",
    method="DELETE",
    summary="Take a file off a draft",
    response=Version,
    permission=P.DOCUMENT_EDIT,
    own=True,
)
def remove_version_attachment(actor: User, version_id: int, attachment_id: int) -> Version:
    version = queries.get_version(db.session, actor, version_id)  # hidden → 404
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.version_id != version.id:
        raise NotFound(str(_l("File not found.")))
    return version_model(actor, remove_attachment(db.session, actor, attachment_id))


@api.route(
    "/documents/<int:document_id>/code",
    method="POST",
    summary="Correct a generated code, with a reason, until the first approval locks it",
    response=DocumentOut,
    permission=P.DOCUMENT_CORRECT_CODE,
    body=CodeCorrection,
)
def correct_code(actor: User, document_id: int, body: CodeCorrection) -> DocumentOut:
    corrected = authoring.correct_code(db.session, actor, document_id, body.code, body.reason)
    return document_model(actor, corrected)


# --- Master list and my work -----------------------------------------------------------------


@api.route(
    "/master-list",
    summary="Listado maestro: one row per visible document, filtered and sorted as the page",
    response=MasterList,
    permission=P.DOCUMENT_READ,
    params=[
        Query("process", "string", "A process code, e.g. `AC`."),
        Query("type", "string", "A document type key, e.g. `procedure`."),
        Query("state", "string", "The state of the row's version.", enum=ml.STATES),
        Query("q", "string", "Part of the code or title; accents and case ignored."),
        Query("sort", "string", "The column to sort by.", enum=ml.SORT_KEYS, default="code"),
        Query("dir", "string", "Sort direction.", enum=("asc", "desc"), default="asc", arg="order"),
    ],
)
def master_list(
    actor: User,
    process: str | None,
    type: str | None,
    state: str | None,
    q: str | None,
    sort: str,
    order: str,
) -> MasterList:
    filters = ml.MasterListFilter(
        process=process or "",
        type=type or "",
        state=state or "",
        text=(q or "")[:100],
        sort=sort,
        descending=order == "desc",
    )
    rows = ml.build_master_list(db.session, actor, filters)
    return MasterList(items=[MasterListRow.of(r) for r in rows])


@api.route(
    "/master-list/reviews-due",
    summary="Documents in force whose periodic review is due, most overdue first",
    response=DueReviewList,
    permission=P.DOCUMENT_READ,
    params=[
        Query("within", "integer", "Days ahead.", minimum=0, maximum=366, default=30),
        Query("process", "string", "A process code, e.g. `AC`."),
        Query("mine", "boolean", "Only documents the token's owner owns.", default=False),
    ],
)
def reviews_due(actor: User, within: int, process: str | None, mine: bool) -> DueReviewList:
    due = ml.list_reviews_due(
        db.session, actor, within_days=within, process=process or "", owned_only=mine
    )
    return DueReviewList(items=[DueReview.of_due(d) for d in due])


@api.route(
    "/my-work",
    summary="What waits for the token's owner: drafts, signatures, reviews due, requests",
    response=MyWork,
)
def my_work(actor: User) -> MyWork:
    work = build_my_work(db.session, actor)
    return MyWork(
        drafts=[WorkVersion.of(v) for v in work.drafts],
        to_sign=[WorkVersion.of(v) for v in work.to_sign],
        reviews_due=[WorkReview.of(r) for r in work.reviews_due],
        change_requests=[change_request_model(actor, r) for r in work.change_requests],
    )
