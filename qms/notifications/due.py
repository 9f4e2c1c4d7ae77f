"""What is due today, and for whom: one DueItem per (user, item, occasion).

Actions due within the reminder window go to their owner, overdue ones to the owner and the
quality leads; effectiveness checks due go to the quality leads; PQRS whose term ends within
two business days go to the leader of the process answering them (the quality leads while
unrouted); periodic document reviews go to the document's owner. The key says the occasion,
so a later tick with nothing new creates nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import CapaAction, NcState, Nonconformity
from qms.capa.pqrs_models import PqrsRequest, PqrsState
from qms.capa.terms import days_left
from qms.core.permissions import Role
from qms.core.timefmt import format_day
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.documents.queries import next_review_on
from qms.users.models import User, UserRole

PQRS_WARNING_DAYS = 2


@dataclass(frozen=True)
class DueItem:
    user_id: int
    key: str
    title: str
    body: str
    url: str


def quality_leads(session: Session) -> list[User]:
    stmt = (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.QUALITY_LEAD, User.active.is_(True))
    )
    return list(session.scalars(stmt))


def _item(user: User, key: str, url: str, title: str, body: str = "") -> DueItem:
    return DueItem(user.id, key, title, body, url)


def _actions(session: Session, today: date, window: int) -> Iterator[DueItem]:
    stmt = sa.select(CapaAction).where(
        CapaAction.status.in_(OPEN_ACTION), CapaAction.due_on <= today + timedelta(days=window)
    )
    leads = quality_leads(session)
    for action in session.scalars(stmt):
        nc = action.nonconformity
        if nc.state != NcState.IN_PROGRESS or action.round != nc.round:
            continue
        url = f"/nonconformities/{nc.id}"
        overdue = action.due_on < today
        occasion = "action-overdue" if overdue else "action-due"
        for user in [action.owner, *(leads if overdue else [])]:
            with force_locale(user.locale or "es"):
                if overdue:
                    title = _(
                        "Overdue action of %(code)s (due %(day)s)",
                        code=nc.code,
                        day=format_day(action.due_on),
                    )
                else:
                    title = _(
                        "Action of %(code)s due on %(day)s",
                        code=nc.code,
                        day=format_day(action.due_on),
                    )
            yield _item(
                user, f"{occasion}:{action.id}:{action.due_on}", url, title, action.description
            )


def _checks(session: Session, today: date, window: int) -> Iterator[DueItem]:
    stmt = sa.select(Nonconformity).where(
        Nonconformity.state.in_((NcState.IN_PROGRESS, NcState.AWAITING_CHECK)),
        Nonconformity.check_due_on <= today + timedelta(days=window),
    )
    leads = quality_leads(session)
    for nc in session.scalars(stmt):
        for user in leads:
            with force_locale(user.locale or "es"):
                title = _(
                    "Effectiveness check of %(code)s due on %(day)s",
                    code=nc.code,
                    day=format_day(nc.check_due_on),
                )
            yield _item(
                user,
                f"check-due:{nc.id}:{nc.round}",
                f"/nonconformities/{nc.id}",
                title,
                nc.check_criterion,
            )


def _pqrs(session: Session, today: date) -> Iterator[DueItem]:
    stmt = sa.select(PqrsRequest).where(
        PqrsRequest.state.in_((PqrsState.RECEIVED, PqrsState.ROUTED))
    )
    leads = quality_leads(session)
    for request in session.scalars(stmt):
        due = request.term_due_on
        if days_left(due, today) > PQRS_WARNING_DAYS:
            continue
        leader = request.process.leader if request.process is not None else None
        for user in [leader] if leader is not None and leader.active else leads:
            with force_locale(user.locale or "es"):
                title = _(
                    "The term of %(code)s ends on %(day)s", code=request.code, day=format_day(due)
                )
            yield _item(
                user,
                f"pqrs-term:{request.id}:{due}",
                f"/pqrs/{request.id}",
                title,
                request.text[:300],
            )


def _reviews(session: Session, today: date, window: int) -> Iterator[DueItem]:
    stmt = (
        sa.select(Document)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.state == VersionState.EFFECTIVE)
    )
    for document in session.scalars(stmt):
        due = next_review_on(session, document)
        owner = document.owner
        if due is None or (due - today).days > window or not owner.active:
            continue
        with force_locale(owner.locale or "es"):
            title = _(
                "Periodic review of %(code)s due on %(day)s",
                code=document.code,
                day=format_day(due),
            )
        yield _item(
            owner,
            f"review-due:{document.id}:{due}",
            f"/documents/{document.id}",
            title,
            document.title,
        )


def due_items(
    session: Session,
    today: date,
    window: int,
    *,
    audit_plan_days: int = 7,
    audit_report_days: int = 5,
) -> list[DueItem]:
    """Everything due on `today` with a reminder window of `window` days; the audits' own
    windows are QMS_AUDIT_PLAN_NOTICE_DAYS and QMS_AUDIT_REPORT_DAYS."""
    # Imported here: the audits build on this module (DueItem), not the other way round.
    from qms.audits.due import audit_due_items

    return [
        *_actions(session, today, window),
        *_checks(session, today, window),
        *_pqrs(session, today),
        *_reviews(session, today, window),
        *audit_due_items(
            session, today, plan_notice_days=audit_plan_days, report_days=audit_report_days
        ),
    ]
