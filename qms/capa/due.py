"""What CAPA has due, for `qms tick`'s reminders: one DueItem per (user, item, occasion).

Actions due within the reminder window go to their owner, overdue ones to the owner and the
quality leads; effectiveness checks due go to the quality leads; PQRS whose term ends within
two business days go to the leader of the process answering them (the quality leads while
unrouted). The key says the occasion, so a later tick with nothing new creates nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import CapaAction, NcState, Nonconformity
from qms.capa.pqrs_models import PqrsRequest, PqrsState
from qms.capa.terms import days_left
from qms.core.timefmt import format_day
from qms.notifications.due import DueItem, due_item, quality_leads

PQRS_WARNING_DAYS = 2


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
            yield due_item(
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
            yield due_item(
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
            yield due_item(
                user,
                f"pqrs-term:{request.id}:{due}",
                f"/pqrs/{request.id}",
                title,
                request.text[:300],
            )


def capa_due_items(session: Session, today: date, window: int) -> Iterator[DueItem]:
    """Actions, effectiveness checks and PQRS terms due on `today` (window: reminder days)."""
    yield from _actions(session, today, window)
    yield from _checks(session, today, window)
    yield from _pqrs(session, today)
