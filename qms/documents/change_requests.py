"""Change requests (solicitudes de creación / modificación / eliminación): filing and deciding.

Anyone may file one with a reason; a quality lead accepts it (a creation request creates the
document, a modification request opens a draft assigned to the owner, both linked to the
request) or rejects it with a reason. A withdrawal request, once accepted, still needs the
quality lead's signature through the withdraw action.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.errors import NotFound, ValidationFailed
from qms.core.permissions import Permission, can, can_own_variant, require
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.documents import authoring
from qms.documents.models import (
    ChangeRequest,
    ChangeRequestKind,
    ChangeRequestState,
    Document,
    DocumentType,
    DocumentVersion,
)
from qms.documents.queries import get_document, version_in_force
from qms.processes.models import Process
from qms.trail import services as trail
from qms.users.models import User

P = Permission
K = ChangeRequestKind
S = ChangeRequestState
MAX_REASON = 5000
MAX_LIST = 500


def _clean_reason(reason: str | None, field: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(str(_l("Give a reason.")), field=field)
    if len(text) > MAX_REASON:
        raise ValidationFailed(str(_l("The reason is too long.")), field=field)
    return text


def sees_all(actor: Any) -> bool:
    """Quality leads (who decide) and readers of every document (auditors) see every request."""
    return can(actor, P.CHANGE_REQUEST_DECIDE) or can(actor, P.DOCUMENT_READ_ALL)


def visibility(actor: Any) -> sa.ColumnElement[bool]:
    """SQL condition on ChangeRequest for what `actor` may see: the one rule, for the list and
    for the single load. Their requester; every request for those who see all; the requests
    about the documents of one's processes for a process owner."""
    if actor is None:
        return sa.false()
    if sees_all(actor):
        return sa.true()
    mine = ChangeRequest.requested_by_id == actor.id
    if can_own_variant(actor, P.DOCUMENT_READ_ALL):
        owned = sa.select(Document.id).where(Document.owned_by_clause(actor.id))
        return sa.or_(mine, ChangeRequest.document_id.in_(owned))
    return mine


def get_change_request(session: Session, actor: Any, request_id: int) -> ChangeRequest:
    require(actor, P.CHANGE_REQUEST_CREATE)
    request = session.scalar(
        sa.select(ChangeRequest).where(ChangeRequest.id == request_id, visibility(actor))
    )
    if request is None:
        raise NotFound(str(_l("Change request not found.")))
    return request


def list_change_requests(
    session: Session,
    actor: Any,
    *,
    mine: bool = False,
    state: str | None = None,
    kind: str | None = None,
) -> list[ChangeRequest]:
    """Visible requests, newest first; `mine` keeps those the actor filed."""
    require(actor, P.CHANGE_REQUEST_CREATE)
    stmt = sa.select(ChangeRequest).where(visibility(actor))
    if mine:
        stmt = stmt.where(ChangeRequest.requested_by_id == actor.id)
    if state:
        stmt = stmt.where(ChangeRequest.state == state)
    if kind:
        stmt = stmt.where(ChangeRequest.kind == kind)
    stmt = stmt.order_by(ChangeRequest.requested_at.desc(), ChangeRequest.id.desc())
    return list(session.scalars(stmt.limit(MAX_LIST)).unique())


def file_change_request(
    session: Session,
    actor: Any,
    kind: str,
    reason: str,
    document_id: int | None = None,
    *,
    proposed_title: str = "",
    proposed_type_id: int | None = None,
    proposed_process_id: int | None = None,
) -> ChangeRequest:
    """File a request; modify/withdraw name a document in force the actor can see."""
    require(actor, P.CHANGE_REQUEST_CREATE)
    try:
        kind = K(kind)
    except ValueError:
        raise ValidationFailed(str(_l("Choose what you are asking for.")), field="kind") from None
    text = _clean_reason(reason)
    values: dict[str, Any] = {}
    details: dict[str, Any] = {"kind": kind.value}
    if kind == K.CREATE:
        title = (proposed_title or "").strip()
        if not title or len(title) > authoring.MAX_TITLE:
            raise ValidationFailed(
                str(_l("Give the new document a title (at most 300 characters).")),
                field="proposed_title",
            )
        doc_type = session.get(DocumentType, proposed_type_id) if proposed_type_id else None
        if doc_type is None or not doc_type.active:
            raise ValidationFailed(str(_l("Choose a document type.")), field="proposed_type_id")
        process = session.get(Process, proposed_process_id) if proposed_process_id else None
        if process is None or not process.active:
            raise ValidationFailed(
                str(_l("Choose an active process.")), field="proposed_process_id"
            )
        values = {
            "proposed_title": title,
            "proposed_type_id": doc_type.id,
            "proposed_process_id": process.id,
        }
        details.update(title=title, type=doc_type.key, process=process.code)
    else:
        if document_id is None:
            raise ValidationFailed(str(_l("Choose a document.")), field="document_id")
        document = get_document(session, actor, document_id)  # NotFound when hidden
        if version_in_force(session, document.id) is None:
            raise ValidationFailed(
                str(_l("Only a document in force can be modified or withdrawn.")),
                field="document_id",
            )
        values = {"document_id": document.id}
        details["document"] = document.code
    request = ChangeRequest(kind=kind.value, reason=text, requested_by_id=actor.id, **values)
    session.add(request)
    session.flush()
    trail.record(
        session,
        TrailAction.CHANGE_REQUEST_CREATE,
        "change_request",
        request.id,
        actor=actor,
        after={"state": S.OPEN.value, **details},
        reason=text,
    )
    return request


def _decide(
    session: Session, actor: Any, request_id: int, to: ChangeRequestState, reason: str
) -> ChangeRequest:
    """Move an open request to `to`; a second decision (a race or a reload) is Conflict."""
    require(actor, P.CHANGE_REQUEST_DECIDE)
    request = session.get(ChangeRequest, request_id)
    if request is None:
        raise NotFound(str(_l("Change request not found.")))
    conditional_update(
        session,
        ChangeRequest,
        request.id,
        S.OPEN,
        {
            "state": to.value,
            "decided_by_id": actor.id,
            "decided_at": utcnow(),
            "decision_reason": reason,
        },
    )
    session.refresh(request)
    return request


def _owner_for_new_document(session: Session, request: ChangeRequest) -> int:
    """The process leader when there is an active one, else the requester."""
    process = session.get(Process, request.proposed_process_id)
    if process is not None and process.leader_id is not None:
        leader = session.get(User, process.leader_id)
        if leader is not None and leader.active:
            return leader.id
    return request.requested_by_id


def accept_change_request(
    session: Session, actor: Any, request_id: int, reason: str = ""
) -> ChangeRequest:
    """Accept: create the document, or open a draft for its owner, or (withdraw) record it."""
    text = (reason or "").strip()[:MAX_REASON]
    request = _decide(session, actor, request_id, S.ACCEPTED, text)
    details: dict[str, Any] = {"kind": request.kind}
    if request.kind == K.CREATE:
        owner_id = _owner_for_new_document(session, request)
        # The quality lead's decision on the request is the authorisation to create it.
        document = authoring.create_document(
            session,
            actor,
            type_id=request.proposed_type_id,
            process_id=request.proposed_process_id,
            title=request.proposed_title,
            owner_id=owner_id,
            author_id=owner_id,
            change_request_id=request.id,
            bypass_permission=True,
        )
        request.document_id = document.id
        session.flush()
        details.update(
            document=document.code,
            version=document.versions[0].id,
            owner=owner_id,
            authorised_by="change_request",
        )
    elif request.kind == K.MODIFY:
        target = session.get(Document, request.document_id)
        if target is None:
            raise NotFound(str(_l("Document not found.")))
        draft = authoring.start_draft(
            session,
            actor,
            target.id,
            change_request_id=request.id,
            author_id=target.owner_id,
        )
        details.update(document=target.code, version=draft.id, owner=target.owner_id)
    else:
        details["document"] = request.document.code if request.document else None
    trail.record(
        session,
        TrailAction.CHANGE_REQUEST_ACCEPT,
        "change_request",
        request.id,
        actor=actor,
        before={"state": S.OPEN.value},
        after={"state": S.ACCEPTED.value, **details},
        reason=text,
    )
    return request


def reject_change_request(
    session: Session, actor: Any, request_id: int, reason: str
) -> ChangeRequest:
    """Reject with a reason, which the requester sees."""
    require(actor, P.CHANGE_REQUEST_DECIDE)
    text = _clean_reason(reason)
    request = _decide(session, actor, request_id, S.REJECTED, text)
    trail.record(
        session,
        TrailAction.CHANGE_REQUEST_REJECT,
        "change_request",
        request.id,
        actor=actor,
        before={"state": S.OPEN.value},
        after={"state": S.REJECTED.value, "kind": request.kind},
        reason=text,
    )
    return request


def versions_of(session: Session, request_id: int) -> list[DocumentVersion]:
    """The versions opened from this request (a draft for a modification, v1 for a creation)."""
    return list(
        session.scalars(
            sa.select(DocumentVersion)
            .where(DocumentVersion.change_request_id == request_id)
            .order_by(DocumentVersion.id)
        )
    )
