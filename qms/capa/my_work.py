"""What CAPA asks of a person: the actions they own, the steps of the nonconformities they
answer for, the effectiveness checks they sign, and the PQRS they must route, answer or close.

The rules are those of the reminders (`qms.capa.due`) and of the workflow: an action counts
while its nonconformity's plan is in progress and it belongs to the current round; a
nonconformity step counts for whoever the workflow lets take it; a PQRS answer is due on its
legal term (`qms.capa.terms`). Only what the person may see is listed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import ActionKind, CapaAction, NcState, Nonconformity
from qms.capa.pqrs import pqrs_visibility
from qms.capa.pqrs_models import PqrsRequest, PqrsState
from qms.capa.services import nonconformity_visibility
from qms.capa.terms import days_left
from qms.core.links import optional_url
from qms.core.permissions import Permission, can, can_own_variant
from qms.home.work import WorkItem

P = Permission
S = NcState
LIMIT = 200

# The step each state waits for, and who may take it (`qms.capa.lifecycle.TRANSITIONS`).
_NEXT_STEP = {
    S.REPORTED: P.NONCONFORMITY_DECIDE,
    S.ACCEPTED: P.NONCONFORMITY_TREAT,
    S.CONTAINED: P.NONCONFORMITY_TREAT,
    S.ANALYSED: P.NONCONFORMITY_APPROVE_PLAN,
    S.AWAITING_CHECK: P.EFFECTIVENESS_SIGN,
}


def _step_label(state: str) -> str:
    labels = {
        S.REPORTED: _("Accept or discard"),
        S.ACCEPTED: _("Record the containment"),
        S.CONTAINED: _("Analyse the root cause"),
        S.ANALYSED: _("Approve the action plan"),
        S.AWAITING_CHECK: _("Effectiveness check"),
    }
    return labels[S(state)]


def _action_kind(kind: str) -> str:
    labels: dict[str, str] = {
        ActionKind.CORRECTIVE: _("Corrective action"),
        ActionKind.PREVENTIVE: _("Preventive action"),
        ActionKind.IMPROVEMENT: _("Improvement action"),
    }
    return labels.get(kind, _("Action"))


def _nc_url(nc_id: int) -> str | None:
    return optional_url("capa.show", nc_id=nc_id)


def takes_part(actor: Any) -> bool:
    """Anyone may own an action; the card is everyone's."""
    return can_own_variant(actor, P.CAPA_ACTION_UPDATE)


def _current_open_actions(session: Session, actor: Any) -> list[CapaAction]:
    stmt = (
        sa.select(CapaAction)
        .join(Nonconformity, Nonconformity.id == CapaAction.nonconformity_id)
        .where(
            CapaAction.status.in_(OPEN_ACTION),
            CapaAction.round == Nonconformity.round,
            Nonconformity.state == S.IN_PROGRESS,
            nonconformity_visibility(actor),
        )
        .order_by(CapaAction.due_on, CapaAction.id)
        .limit(LIMIT)
    )
    return list(session.scalars(stmt).unique())


def action_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    """The actions I own; for those who approve the plans, every overdue one as well (the
    reminders tell the quality leads of overdue actions too)."""
    follows_all = can(actor, P.NONCONFORMITY_APPROVE_PLAN)
    items = []
    for action in _current_open_actions(session, actor):
        mine = action.owner_id == actor.id
        overdue = action.due_on < on
        if not mine and not (follows_all and overdue):
            continue
        nc = action.nonconformity
        items.append(
            WorkItem(
                kind=_action_kind(action.kind),
                title=action.description,
                code=nc.code,
                url=_nc_url(nc.id),
                due_on=action.due_on,
                overdue=overdue,
                note="" if mine else _("owner: %(name)s", name=action.owner.full_name),
            )
        )
    return items


def nonconformity_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    """Nonconformities whose next step is mine to take: accept, contain, analyse, approve
    the plan, sign the effectiveness check."""
    stmt = (
        sa.select(Nonconformity)
        .where(Nonconformity.state.in_(list(_NEXT_STEP)), nonconformity_visibility(actor))
        .order_by(Nonconformity.detected_on, Nonconformity.id)
        .limit(LIMIT)
    )
    items = []
    for nc in session.scalars(stmt).unique():
        if not can(actor, _NEXT_STEP[S(nc.state)], nc):
            continue
        check = nc.state == S.AWAITING_CHECK
        due_on = nc.check_due_on if check else None
        items.append(
            WorkItem(
                kind=_step_label(nc.state),
                title=nc.title,
                code=nc.code,
                url=_nc_url(nc.id),
                due_on=due_on,
                overdue=due_on is not None and due_on < on,
                badge_class=f"nc-{nc.state}",
            )
        )
    return items


def capa_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    return [*action_items(session, actor, on), *nonconformity_items(session, actor, on)]


def answers_pqrs(actor: Any) -> bool:
    return can_own_variant(actor, P.PQRS_ANSWER) or can(actor, P.PQRS_MANAGE)


def _term_badge(request: PqrsRequest, on: date) -> str:
    due = request.term_due_on
    if on > due:
        return _("Outside the legal term")
    left = days_left(due, on)
    return ngettext("%(num)d business day left", "%(num)d business days left", left)


def pqrs_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    """Unrouted requests to route and answered ones to close (for who manages PQRS), and the
    requests routed to a process I lead, to answer within their legal term."""
    manages = can(actor, P.PQRS_MANAGE)
    states = [PqrsState.ROUTED, *((PqrsState.RECEIVED, PqrsState.ANSWERED) if manages else ())]
    stmt = (
        sa.select(PqrsRequest)
        .where(PqrsRequest.state.in_(states), pqrs_visibility(actor))
        .order_by(PqrsRequest.due_on, PqrsRequest.id)
        .limit(LIMIT)
    )
    items = []
    for request in session.scalars(stmt).unique():
        open_term = request.state in (PqrsState.RECEIVED, PqrsState.ROUTED)
        if request.state == PqrsState.RECEIVED:
            kind = _("Route")
        elif request.state == PqrsState.ANSWERED:
            kind = _("Close")
        elif request.is_owned_by(actor.id) and can(actor, P.PQRS_ANSWER, request):
            kind = _("Answer")
        else:
            continue
        items.append(
            WorkItem(
                kind=kind,
                title=request.customer_name,
                code=request.code,
                url=optional_url("pqrs.show", request_id=request.id),
                due_on=request.term_due_on if open_term else None,
                overdue=open_term and on > request.term_due_on,
                badge=_term_badge(request, on) if open_term else "",
                badge_class="overdue" if open_term and on > request.term_due_on else "due",
                note=request.text[:120],
            )
        )
    return items
