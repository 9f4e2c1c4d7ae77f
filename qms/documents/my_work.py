"""My work: what waits for the signed-in user — drafts, signatures, periodic reviews, requests.

The lists (for the API) and the same work as `WorkItem`s (for "Mi trabajo" and the bell)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.links import optional_url
from qms.core.permissions import Permission, can
from qms.documents.approval import today
from qms.documents.change_request_forms import KIND_LABELS
from qms.documents.in_force import in_force_clause
from qms.documents.lifecycle import duties_conflict
from qms.documents.links import document_url
from qms.documents.models import (
    ChangeRequest,
    ChangeRequestState,
    Document,
    DocumentVersion,
    SignatureMeaning,
    VersionState,
)
from qms.documents.queries import is_named_signer, next_review_on, stage_signatures
from qms.home.work import WorkItem

P = Permission
S = VersionState
DUE_WITHIN_DAYS = 30
LIMIT = 200
_STAGE = {
    S.IN_REVIEW: ("review", SignatureMeaning.REVIEWED),
    S.IN_APPROVAL: ("approval", SignatureMeaning.APPROVED),
}


@dataclass(frozen=True)
class ReviewDue:
    document: Document
    due_on: date
    is_overdue: bool


@dataclass(frozen=True)
class MyWork:
    drafts: list[DocumentVersion] = field(default_factory=list)
    to_sign: list[DocumentVersion] = field(default_factory=list)
    reviews_due: list[ReviewDue] = field(default_factory=list)
    change_requests: list[ChangeRequest] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.drafts or self.to_sign or self.reviews_due or self.change_requests)


def drafts_of(session: Session, actor: Any) -> list[DocumentVersion]:
    """Drafts I author, or of documents I own."""
    stmt = (
        sa.select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            DocumentVersion.state == S.DRAFT,
            sa.or_(DocumentVersion.author_id == actor.id, Document.owner_id == actor.id),
        )
        .order_by(Document.code, DocumentVersion.number)
        .limit(LIMIT)
    )
    return list(session.scalars(stmt).unique())


def is_waiting_for(actor: Any, version: DocumentVersion) -> bool:
    """The route names me for this stage, I did not write it, I have not signed this round
    (nor reviewed it, for an approval that separates duties), and on a sequential route it is
    my turn."""
    if version.state not in _STAGE or version.author_id == actor.id:
        return False
    if not is_named_signer(actor, version):
        return False
    stage, meaning = _STAGE[S(version.state)]
    if duties_conflict(version, actor):
        return False
    signed = stage_signatures(version, meaning)
    if any(s.user_id == actor.id for s in signed):
        return False
    route = version.route_stage(stage)
    users = list(route.get("users") or [])
    if route.get("sequential") and users:
        return len(signed) < len(users) and users[len(signed)] == actor.id
    return True


def waiting_for_signature(session: Session, actor: Any) -> list[DocumentVersion]:
    if not can(actor, P.DOCUMENT_SIGN):
        return []
    stmt = (
        sa.select(DocumentVersion)
        .where(
            DocumentVersion.state.in_([S.IN_REVIEW, S.IN_APPROVAL]),
            DocumentVersion.author_id != actor.id,
        )
        .order_by(DocumentVersion.submitted_at, DocumentVersion.id)
        .limit(LIMIT)
    )
    return [v for v in session.scalars(stmt).unique() if is_waiting_for(actor, v)]


def reviews_due(session: Session, actor: Any, *, on: date | None = None) -> list[ReviewDue]:
    """Documents I own whose periodic review is overdue or due within 30 days."""
    day = on or today()
    horizon = day + timedelta(days=DUE_WITHIN_DAYS)
    in_force = sa.select(DocumentVersion.document_id).where(in_force_clause(day))
    documents = session.scalars(
        sa.select(Document)
        .where(Document.owner_id == actor.id, Document.id.in_(in_force))
        .order_by(Document.code)
        .limit(LIMIT)
    ).unique()
    due = []
    for document in documents:
        due_on = next_review_on(session, document)
        if due_on is not None and due_on <= horizon:
            due.append(ReviewDue(document, due_on, due_on < day))
    return sorted(due, key=lambda row: row.due_on)


def change_requests_waiting(session: Session, actor: Any) -> list[ChangeRequest]:
    """Open requests: every one for those who decide them, one's own for everyone else."""
    stmt = sa.select(ChangeRequest).where(ChangeRequest.state == ChangeRequestState.OPEN)
    if not can(actor, P.CHANGE_REQUEST_DECIDE):
        stmt = stmt.where(ChangeRequest.requested_by_id == actor.id)
    stmt = stmt.order_by(ChangeRequest.requested_at, ChangeRequest.id).limit(LIMIT)
    return list(session.scalars(stmt).unique())


def my_work(session: Session, actor: Any, *, on: date | None = None) -> MyWork:
    if actor is None:
        return MyWork()
    return MyWork(
        drafts=drafts_of(session, actor),
        to_sign=waiting_for_signature(session, actor),
        reviews_due=reviews_due(session, actor, on=on),
        change_requests=change_requests_waiting(session, actor),
    )


# The same work as records for "Mi trabajo" and the bell (qms.home.gather).


def _version_line(version: DocumentVersion) -> str:
    return f"{version.document.title} · {_('version %(num)d', num=version.number)}"


def signature_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    items = []
    for version in waiting_for_signature(session, actor):
        in_review = version.state == S.IN_REVIEW
        stage = "signing.review" if in_review else "signing.approve"
        items.append(
            WorkItem(
                kind=_("To review") if in_review else _("To approve"),
                title=_version_line(version),
                code=version.document.code,
                url=optional_url(stage, version_id=version.id) or document_url(version.document_id),
                badge_class=f"stage-{version.state}",
            )
        )
    return items


def draft_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    return [
        WorkItem(
            kind=_("Draft"),
            title=_version_line(version),
            code=version.document.code,
            url=optional_url("documents.edit", version_id=version.id)
            or document_url(version.document_id),
            note=""
            if version.author_id == actor.id
            else _("author: %(name)s", name=version.author.full_name),
        )
        for version in drafts_of(session, actor)
    ]


def review_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    return [
        WorkItem(
            kind=_("Periodic review"),
            title=row.document.title,
            code=row.document.code,
            url=document_url(row.document.id),
            due_on=row.due_on,
            overdue=row.is_overdue,
        )
        for row in reviews_due(session, actor, on=on)
    ]


def change_request_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    """Open requests to decide (only those who decide them have this work)."""
    if not can(actor, P.CHANGE_REQUEST_DECIDE):
        return []
    return [
        WorkItem(
            kind=_("To decide"),
            title=_("Request %(num)d", num=cr.id)
            + f" · {KIND_LABELS.get(cr.kind, cr.kind)} · "
            + (cr.document.title if cr.document else cr.proposed_title),
            code=cr.document.code if cr.document else "",
            url=optional_url("change_requests.show", request_id=cr.id),
            note=cr.requested_by.full_name,
        )
        for cr in change_requests_waiting(session, actor)
    ]
