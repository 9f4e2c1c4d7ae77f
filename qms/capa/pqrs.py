"""PQRS intake as the procedure example does it: register, classify and route, extend once,
answer, close with the customer's satisfaction; a complaint or claim raises a nonconformity."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.capa import services as nc_services
from qms.capa.models import NcSource, Nonconformity
from qms.capa.pqrs_models import Channel, PqrsRequest, PqrsState, Satisfaction
from qms.capa.services import required_text
from qms.capa.terms import RequestKind, business_days_between, extended_due, response_due
from qms.core.db import rowcount, utcnow
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.localtime import local_today
from qms.core.permissions import Permission, can, can_own_variant, require
from qms.core.sequence import add_numbered
from qms.core.trail_actions import TrailAction
from qms.core.workflow import Rule, Workflow
from qms.processes.models import Process
from qms.trail import services as trail
from qms.trail.models import TrailEvent
from qms.users.models import User

P = Permission
S = PqrsState
RAISES_NC = (RequestKind.COMPLAINT, RequestKind.CLAIM)

TRANSITIONS: Mapping[tuple[str, str], Rule] = {
    (S.RECEIVED, "route"): Rule(
        to=S.ROUTED, permission=P.PQRS_MANAGE, trail_action=TrailAction.PQRS_ROUTE
    ),
    (S.ROUTED, "route"): Rule(
        to=S.ROUTED, permission=P.PQRS_MANAGE, trail_action=TrailAction.PQRS_ROUTE
    ),
    (S.ROUTED, "extend"): Rule(
        to=S.ROUTED, permission=P.PQRS_MANAGE, trail_action=TrailAction.PQRS_EXTEND
    ),
    (S.ROUTED, "answer"): Rule(
        to=S.ANSWERED, permission=P.PQRS_ANSWER, trail_action=TrailAction.PQRS_ANSWER
    ),
    (S.ANSWERED, "close"): Rule(
        to=S.CLOSED, permission=P.PQRS_MANAGE, trail_action=TrailAction.PQRS_CLOSE
    ),
}


WORKFLOW = Workflow(
    TRANSITIONS,
    model=PqrsRequest,
    object_type="pqrs",
    describe=lambda r: {"code": r.code},
    record=trail.record,
)


def _apply(
    session: Session,
    request: PqrsRequest,
    action: str,
    actor: Any,
    values: dict[str, Any],
    details: dict[str, Any],
) -> None:
    WORKFLOW.apply(session, request, action, actor, values=values, details=details)


def _choice(value: str, choices: Any, field: str, message: Any) -> str:
    if value not in {str(c) for c in choices}:
        raise ValidationFailed(str(message), field=field)
    return value


def pqrs_visibility(actor: Any) -> sa.ColumnElement[bool]:
    """SQL condition on PqrsRequest for what `actor` may see: the one rule, for the list and the
    single load. Everything for readers of all; otherwise what one registered and, for a
    process leader, what was routed to their processes."""
    if actor is None:
        return sa.false()
    if can(actor, P.PQRS_READ_ALL):
        return sa.true()
    mine = PqrsRequest.registered_by_id == actor.id
    if can_own_variant(actor, P.PQRS_READ_ALL):
        return sa.or_(mine, PqrsRequest.owned_by_clause(actor.id))
    return mine


def get_pqrs(session: Session, actor: Any, request_id: int) -> PqrsRequest:
    request = session.scalar(
        sa.select(PqrsRequest).where(PqrsRequest.id == request_id, pqrs_visibility(actor))
    )
    if request is None:
        raise NotFound(str(_l("Request not found.")))
    return request


OPEN_STATES = (S.RECEIVED, S.ROUTED)
ON_TIME, LATE = "on_time", "late"


def term_due_expr() -> sa.ColumnElement[date]:
    """PqrsRequest.term_due_on in SQL: the extended date when the term was extended."""
    return sa.func.coalesce(PqrsRequest.extended_due_on, PqrsRequest.due_on)


def late_condition(today: date) -> sa.ColumnElement[bool]:
    """Outside the legal term: answered after it, or still unanswered once it has run out."""
    due = term_due_expr()
    return sa.or_(
        sa.and_(PqrsRequest.answered_on.is_not(None), PqrsRequest.answered_on > due),
        sa.and_(PqrsRequest.state.in_(OPEN_STATES), due < today),
    )


def is_late(request: PqrsRequest, today: date) -> bool:
    """late_condition for one loaded request."""
    if request.answered_on is not None:
        return request.answered_on > request.term_due_on
    return request.state in OPEN_STATES and request.term_due_on < today


def list_pqrs(
    session: Session,
    actor: Any,
    *,
    state: str | None = None,
    year: int | None = None,
    term: str = "",
    today: date | None = None,
) -> list[PqrsRequest]:
    """What the actor may see, newest first; `year` the year received; `term` ON_TIME (answered
    within the term) or LATE (late_condition)."""
    stmt = sa.select(PqrsRequest).order_by(PqrsRequest.received_on.desc(), PqrsRequest.id.desc())
    if state:
        stmt = stmt.where(PqrsRequest.state == state)
    if year:
        stmt = stmt.where(PqrsRequest.year == year)
    if term == LATE:
        stmt = stmt.where(late_condition(today or local_today()))
    elif term == ON_TIME:
        stmt = stmt.where(
            PqrsRequest.answered_on.is_not(None), PqrsRequest.answered_on <= term_due_expr()
        )
    return list(session.scalars(stmt.where(pqrs_visibility(actor))))


def pqrs_years(session: Session, actor: Any) -> list[int]:
    """The years the actor's requests were received in, newest first."""
    stmt = sa.select(PqrsRequest.year).where(pqrs_visibility(actor)).distinct()
    return sorted(session.scalars(stmt), reverse=True)


def closers(session: Session, request_ids: list[int]) -> dict[int, str]:
    """Who closed each request, by name, as the trail recorded the closing (the request keeps
    only when)."""
    if not request_ids:
        return {}
    stmt = (
        sa.select(TrailEvent.object_id, User.full_name, TrailEvent.actor_name)
        .outerjoin(User, User.id == TrailEvent.actor_id)
        .where(
            TrailEvent.object_type == "pqrs",
            TrailEvent.action == TrailAction.PQRS_CLOSE,
            TrailEvent.object_id.in_([str(i) for i in request_ids]),
        )
        .order_by(TrailEvent.seq)
    )
    return {int(oid): full or name for oid, full, name in session.execute(stmt)}


def register_pqrs(
    session: Session,
    actor: Any,
    *,
    kind: str,
    channel: str,
    customer_name: str,
    text: str,
    received_on: date,
    customer_contact: str = "",
) -> PqrsRequest:
    """Register what the customer asked; the legal term runs from the day it was received."""
    require(actor, P.PQRS_REGISTER)
    kind = _choice(kind, RequestKind, "kind", _l("Choose the kind of request."))
    channel = _choice(channel, Channel, "channel", _l("Choose the channel it came through."))
    if received_on > local_today():
        raise ValidationFailed(
            str(_l("The date received cannot be in the future.")), field="received_on"
        )
    year = received_on.year
    request = PqrsRequest(
        year=year,
        kind=kind,
        channel=channel,
        customer_name=required_text(customer_name, "customer_name", _l("Who is asking?"), 200),
        customer_contact=(customer_contact or "").strip()[:200],
        text=required_text(text, "text", _l("Write what the customer asked.")),
        received_on=received_on,
        due_on=response_due(kind, received_on),
        registered_by_id=actor.id,
    )

    def numbered() -> PqrsRequest:
        last = session.scalar(
            sa.select(sa.func.max(PqrsRequest.seq)).where(PqrsRequest.year == year)
        )
        request.seq = (last or 0) + 1
        request.code = f"PQRS-{year}-{request.seq:04d}"
        return request

    add_numbered(session, numbered)
    trail.record(
        session,
        TrailAction.PQRS_REGISTER,
        "pqrs",
        request.id,
        actor=actor,
        after={
            "code": request.code,
            "kind": kind,
            "channel": channel,
            "due_on": str(request.due_on),
        },
    )
    return request


def route_pqrs(
    session: Session, actor: Any, request_id: int, *, process_id: int, kind: str | None = None
) -> PqrsRequest:
    """Classify (the kind may change, and with it the term) and route to the answering process."""
    request = get_pqrs(session, actor, request_id)
    process = session.get(Process, process_id)
    if process is None or not process.active:
        raise ValidationFailed(str(_l("Choose an active process.")), field="process_id")
    kind = _choice(kind or request.kind, RequestKind, "kind", _l("Choose the kind of request."))
    values = {
        "process_id": process.id,
        "kind": kind,
        "due_on": response_due(kind, request.received_on),
    }
    _apply(session, request, "route", actor, values, {"process": process.code, "kind": kind})
    return request


def extend_pqrs(
    session: Session,
    actor: Any,
    request_id: int,
    *,
    notified_on: date,
    extra_days: int,
    reason: str,
) -> PqrsRequest:
    """One extension, notified to the customer before the term expires (Ley 1755, art. 14)."""
    request = get_pqrs(session, actor, request_id)
    if request.extended_due_on is not None:
        raise Conflict(str(_l("The term was already extended once.")))
    text = required_text(reason, "extension_reason", _l("Give the reasons told to the customer."))
    new_due = extended_due(request.kind, request.received_on, notified_on, extra_days)
    values = {
        "extended_due_on": new_due,
        "extension_notified_on": notified_on,
        "extension_reason": text,
    }
    _apply(session, request, "extend", actor, values, {"extended_due_on": str(new_due)})
    return request


def answer_pqrs(
    session: Session, actor: Any, request_id: int, *, answer: str, answered_on: date
) -> PqrsRequest:
    request = get_pqrs(session, actor, request_id)
    text = required_text(answer, "answer", _l("Write the answer given."))
    if answered_on < request.received_on or answered_on > local_today():
        raise ValidationFailed(str(_l("Check the date of the answer.")), field="answered_on")
    values = {"answer": text, "answered_on": answered_on, "answered_by_id": actor.id}
    on_time = answered_on <= request.term_due_on
    _apply(
        session,
        request,
        "answer",
        actor,
        values,
        {"answered_on": str(answered_on), "on_time": on_time},
    )
    return request


def close_pqrs(session: Session, actor: Any, request_id: int, *, satisfaction: str) -> PqrsRequest:
    request = get_pqrs(session, actor, request_id)
    satisfaction = _choice(
        satisfaction, Satisfaction, "satisfaction", _l("Record the customer's satisfaction.")
    )
    values = {"satisfaction": satisfaction, "closed_at": utcnow()}
    _apply(session, request, "close", actor, values, {"satisfaction": satisfaction})
    return request


def raise_nonconformity(session: Session, actor: Any, request_id: int) -> Nonconformity:
    """A complaint or claim becomes a nonconformity of its process in one step, linked."""
    request = get_pqrs(session, actor, request_id)
    require(actor, P.PQRS_MANAGE, request)
    if request.kind not in RAISES_NC:
        raise ValidationFailed(
            str(_l("Only a complaint or a claim raises a nonconformity.")), field="kind"
        )
    if request.process_id is None:
        raise ValidationFailed(str(_l("Route it to a process first.")), field="process_id")
    if request.nonconformity is not None:
        raise Conflict(str(_l("It already raised %(code)s.", code=request.nonconformity.code)))
    nc = nc_services.report_nonconformity(
        session,
        actor,
        source=NcSource.PQRS,
        process_id=request.process_id,
        title=f"{request.code}: {request.text[:150]}",
        description=request.text,
        detected_on=request.received_on,
        detected_by=request.customer_name,
    )
    _link(session, actor, request, nc)
    return nc


def late_answer_facts(request: PqrsRequest) -> dict[str, Any]:
    """What a corrective action for a late answer starts from: the request, its term, when it
    was answered; for the report form's first values."""
    return {
        "code": request.code,
        "process_id": request.process_id,
        "received_on": request.received_on,
        "term_due_on": request.term_due_on,
        "answered_on": request.answered_on,
        "late_days": business_days_between(request.term_due_on, request.answered_on)
        if request.answered_on
        else 0,
    }


def link_nonconformity(session: Session, actor: Any, request_id: int, nc: Nonconformity) -> None:
    """Tie a nonconformity reported about this request (say, its late answer) to it, as
    raising one does; a request already tied to one keeps it."""
    request = get_pqrs(session, actor, request_id)
    require(actor, P.PQRS_MANAGE, request)
    if request.nonconformity is not None:
        raise Conflict(str(_l("It already raised %(code)s.", code=request.nonconformity.code)))
    _link(session, actor, request, nc)


def _link(session: Session, actor: Any, request: PqrsRequest, nc: Nonconformity) -> None:
    linked = session.execute(
        sa.update(PqrsRequest)
        .where(PqrsRequest.id == request.id, PqrsRequest.nonconformity_id.is_(None))
        .values(nonconformity_id=nc.id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(linked) != 1:
        raise Conflict(str(_l("Someone else changed this meanwhile; reload and try again.")))
    session.refresh(request)
    trail.record(
        session,
        TrailAction.PQRS_RAISE_NONCONFORMITY,
        "pqrs",
        request.id,
        actor=actor,
        after={"code": request.code, "nonconformity": nc.code},
    )
