"""Reading audits and planning them: plan, edit, team (independence), reschedule, cancel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.lifecycle import PLANNING_STATES, WORKFLOW, AuditAction
from qms.audits.models import (
    Audit,
    AuditProgramme,
    AuditReschedule,
    AuditState,
    AuditTeamMember,
    TeamRole,
)
from qms.core.db import utcnow
from qms.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qms.core.permissions import Permission, can, can_own_variant, require
from qms.core.sequence import add_numbered
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.documents import iso9001
from qms.processes.models import Process
from qms.trail import services as trail
from qms.users.models import User

P = Permission


def text(value: str | None, field: str, *, required: Any = None, limit: int = 20_000) -> str:
    """Trimmed text; ValidationFailed naming `field` when required and empty, or too long."""
    cleaned = (value or "").strip()
    if required is not None and not cleaned:
        raise ValidationFailed(str(required), field=field)
    if len(cleaned) > limit:
        raise ValidationFailed(str(_l("This text is too long.")), field=field)
    return cleaned


def audit_visibility(actor: Any) -> sa.ColumnElement[bool]:
    """SQL condition on Audit for what `actor` may see: the one rule, for the lists and the
    single load. Every audit for readers of all; otherwise those it concerns (the team, the
    auditees, the leaders of the audited processes: `Audit.owned_by_clause`)."""
    if can(actor, P.AUDIT_READ_ALL):
        return sa.true()
    if actor is not None and can_own_variant(actor, P.AUDIT_READ_ALL):
        return Audit.owned_by_clause(actor.id)
    return sa.false()


def can_see(actor: Any, audit: Audit) -> bool:
    """Python twin of `audit_visibility`, for an audit already loaded (the nonconformity page
    links the audit its finding came from when the reader may see it)."""
    return can(actor, P.AUDIT_READ_ALL, audit)


def get_audit(session: Session, actor: Any, audit_id: int) -> Audit:
    """The audit when the actor may see it; NotFound otherwise (hidden means 404)."""
    audit = session.scalar(sa.select(Audit).where(Audit.id == audit_id, audit_visibility(actor)))
    if audit is None:
        raise NotFound(str(_l("Audit not found.")))
    return audit


def list_audits(
    session: Session, actor: Any, *, year: int | None = None, state: str | None = None
) -> list[Audit]:
    stmt = sa.select(Audit).order_by(Audit.start_on, Audit.id)
    if year is not None:
        stmt = stmt.where(Audit.year == year)
    if state:
        stmt = stmt.where(Audit.state == state)
    return list(session.scalars(stmt.where(audit_visibility(actor))))


def clean_clause(value: str | None, field: str) -> str:
    """A clause number of the ISO 9001:2015 catalogue, or "" when none is given."""
    number = (value or "").strip()
    if number and not iso9001.is_clause(number):
        raise ValidationFailed(
            str(_l("%(number)s is not a clause of ISO 9001:2015.", number=number)), field=field
        )
    return number


def clean_clauses(values: list[str] | tuple[str, ...]) -> list[str]:
    clauses = []
    for raw in values:
        number = clean_clause(raw, "clauses")
        if number and number not in clauses:
            clauses.append(number)
    return sorted(clauses, key=iso9001.sort_key)


def _processes(session: Session, ids: list[int]) -> list[Process]:
    found = [session.get(Process, pid) for pid in dict.fromkeys(ids)]
    if not ids or any(p is None or not p.active for p in found):
        raise ValidationFailed(str(_l("Choose one or more active processes.")), field="processes")
    return [p for p in found if p is not None]


def _users(session: Session, ids: list[int], field: str) -> list[User]:
    found = [session.get(User, uid) for uid in dict.fromkeys(ids)]
    if any(u is None or not u.active for u in found):
        raise ValidationFailed(str(_l("Choose active users.")), field=field)
    return [u for u in found if u is not None]


def conflicts_of_interest(user: User, processes: list[Process]) -> list[Process]:
    """The audited processes that `user` leads or belongs to (ISO 19011: independence)."""
    return [
        p for p in processes if p.leader_id == user.id or any(m.id == user.id for m in p.members)
    ]


@dataclass
class TeamSeat:
    """An auditor to put on the team, with the justification if independence is waived."""

    user_id: int
    justification: str = ""


@dataclass
class AuditPlan:
    """What a quality lead gives to plan (or re-plan) an audit."""

    title: str
    scope: str
    criteria: str
    process_ids: list[int]
    start_on: date
    end_on: date
    lead_auditor: TeamSeat
    auditors: list[TeamSeat] = field(default_factory=list)
    auditee_ids: list[int] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    objectives: str = ""
    place: str = ""
    follow_up_of_id: int | None = None  # the audit whose major findings this one follows up


def _check_dates(programme: AuditProgramme, start_on: date, end_on: date) -> None:
    if end_on < start_on:
        raise ValidationFailed(str(_l("The audit cannot end before it starts.")), field="end_on")
    if start_on.year != programme.year or end_on.year != programme.year:
        raise ValidationFailed(
            str(
                _l("The dates must fall within the programme's year %(year)d.", year=programme.year)
            ),
            field="start_on",
        )


def _seat_team(
    session: Session, actor: Any, audit: Audit, plan: AuditPlan, processes: list[Process]
) -> list[dict[str, Any]]:
    """Replace the team; a conflict of interest needs a quality lead's written justification."""
    seats = [(plan.lead_auditor, TeamRole.LEAD)]
    seats += [
        (s, TeamRole.AUDITOR) for s in plan.auditors if s.user_id != plan.lead_auditor.user_id
    ]
    waived: list[dict[str, Any]] = []
    stmt = sa.select(AuditTeamMember).where(AuditTeamMember.audit_id == audit.id)
    existing = {m.user_id: m for m in session.scalars(stmt)}
    wanted: set[int] = set()
    for seat, role in seats:
        if seat.user_id in wanted:
            continue
        user = _users(session, [seat.user_id], "team")[0]
        wanted.add(user.id)
        conflicts = conflicts_of_interest(user, processes)
        justification = (seat.justification or "").strip()
        if conflicts and not justification:
            names = ", ".join(p.code for p in conflicts)
            raise ValidationFailed(
                str(
                    _l(
                        "%(name)s leads or belongs to %(processes)s: an auditor must be "
                        "independent of what they audit. A quality lead may allow it with a "
                        "written justification.",
                        name=user.full_name,
                        processes=names,
                    )
                ),
                field="lead_auditor_id" if role == TeamRole.LEAD else "auditor_ids",
            )
        if conflicts:
            require(actor, P.AUDIT_PROGRAMME_MANAGE)
            if actor.id == user.id or actor.id in {u.id for u in audit.auditees}:
                raise PermissionDenied(
                    str(
                        _l(
                            "Independence is waived by a quality lead who is neither the "
                            "auditor concerned nor an auditee of this audit."
                        )
                    ),
                    field="lead_auditor_id" if role == TeamRole.LEAD else "auditor_ids",
                )
            waived.append(
                {
                    "user": user.username,
                    "processes": [p.code for p in conflicts],
                    "why": justification,
                }
            )
        member = existing.get(user.id)
        if member is None:
            member = AuditTeamMember(audit_id=audit.id, user_id=user.id)
            session.add(member)
        member.role = role
        member.removed_at = None
        member.independence_justification = justification if conflicts else ""
        member.justified_by_id = actor.id if conflicts else None
    for user_id, member in existing.items():
        if user_id not in wanted and member.removed_at is None:
            member.removed_at = utcnow()
    session.flush()
    session.expire(audit, ["team"])
    return waived


def _record_waivers(
    session: Session, actor: Any, audit: Audit, waived: list[dict[str, Any]]
) -> None:
    for waiver in waived:
        trail.record(
            session,
            TrailAction.AUDIT_INDEPENDENCE_WAIVE,
            "audit",
            audit.id,
            actor=actor,
            after={"code": audit.code, "auditor": waiver["user"], "processes": waiver["processes"]},
            reason=waiver["why"],
        )


def _next_code(session: Session, year: int) -> tuple[int, str]:
    last = session.scalar(sa.select(sa.func.max(Audit.seq)).where(Audit.year == year))
    seq = (last or 0) + 1
    return seq, f"AUD-{year}-{seq:02d}"


def _describe(audit: Audit) -> dict[str, Any]:
    return {
        "code": audit.code,
        "title": audit.title,
        "processes": [p.code for p in audit.processes],
        "clauses": list(audit.clauses or []),
        "start_on": audit.start_on.isoformat(),
        "end_on": audit.end_on.isoformat(),
        "lead_auditor": audit.lead_auditor.username if audit.lead_auditor else None,
        "team": sorted(m.user.username for m in audit.team),
        "auditees": sorted(u.username for u in audit.auditees),
    }


def plan_audit(session: Session, actor: Any, programme_id: int, plan: AuditPlan) -> Audit:
    """Place an audit on the year's schedule; scope and criteria are required (clause 9.2.2)."""
    require(actor, P.AUDIT_PROGRAMME_MANAGE)
    programme = session.get(AuditProgramme, programme_id)
    if programme is None:
        raise NotFound(str(_l("Audit programme not found.")))
    audit = Audit(programme_id=programme.id, year=programme.year, created_by_id=actor.id)
    _fill(session, actor, audit, plan, programme)
    audit.planned_month = plan.start_on.replace(day=1)

    def numbered() -> Audit:
        audit.seq, audit.code = _next_code(session, programme.year)
        return audit

    add_numbered(session, numbered)
    waived = _seat_team(session, actor, audit, plan, audit.processes)
    trail.record(
        session, TrailAction.AUDIT_PLAN, "audit", audit.id, actor=actor, after=_describe(audit)
    )
    _record_waivers(session, actor, audit, waived)
    return audit


def _fill(
    session: Session, actor: Any, audit: Audit, plan: AuditPlan, programme: AuditProgramme
) -> None:
    audit.title = text(plan.title, "title", required=_l("Give the audit a title."), limit=200)
    audit.scope = text(
        plan.scope, "scope", required=_l("An audit cannot be planned without its scope.")
    )
    audit.criteria = text(
        plan.criteria, "criteria", required=_l("An audit cannot be planned without its criteria.")
    )
    audit.objectives = text(plan.objectives, "objectives")
    audit.place = text(plan.place, "place", limit=200)
    audit.clauses = clean_clauses(plan.clauses)
    _check_dates(programme, plan.start_on, plan.end_on)
    audit.start_on, audit.end_on = plan.start_on, plan.end_on
    if plan.follow_up_of_id is not None:
        earlier = session.get(Audit, plan.follow_up_of_id)
        done = (AuditState.REPORT_ISSUED, AuditState.CLOSED)
        if earlier is None or earlier.id == audit.id or earlier.state not in done:
            raise ValidationFailed(
                str(_l("A follow-up follows an audit whose report is issued.")),
                field="follow_up_of_id",
            )
    audit.follow_up_of_id = plan.follow_up_of_id
    audit.processes = _processes(session, plan.process_ids)
    audit.auditees = _users(session, plan.auditee_ids, "auditee_ids")
    lead = _users(session, [plan.lead_auditor.user_id], "lead_auditor_id")[0]
    audit.lead_auditor_id = lead.id
    audit.lead_auditor = lead


def update_plan(session: Session, actor: Any, audit_id: int, plan: AuditPlan) -> Audit:
    """Change the plan before the audit starts; dates move only by rescheduling (with a reason)."""
    audit = get_audit(session, actor, audit_id)
    require(actor, P.AUDIT_PROGRAMME_MANAGE, audit)
    if audit.state not in PLANNING_STATES:
        raise Conflict(str(_l("The plan cannot change once the audit has started.")))
    if (plan.start_on, plan.end_on) != (audit.start_on, audit.end_on):
        raise ValidationFailed(
            str(_l("Reschedule the audit to change its dates; give the reason.")), field="start_on"
        )
    before = _describe(audit)
    # Lock the row in its state: a racing start or cancel makes this a 409, not a lost edit.
    conditional_update(session, Audit, audit.id, audit.state, {})
    _fill(session, actor, audit, plan, audit.programme)
    session.flush()
    waived = _seat_team(session, actor, audit, plan, audit.processes)
    trail.record(
        session,
        TrailAction.AUDIT_EDIT,
        "audit",
        audit.id,
        actor=actor,
        before=before,
        after=_describe(audit),
    )
    _record_waivers(session, actor, audit, waived)
    return audit


def reschedule_audit(
    session: Session, actor: Any, audit_id: int, *, start_on: date, end_on: date, reason: str
) -> Audit:
    """New dates with the reason kept; a notified plan goes back to planned, to be sent again."""
    audit = get_audit(session, actor, audit_id)
    _check_dates(audit.programme, start_on, end_on)
    if (start_on, end_on) == (audit.start_on, audit.end_on):
        raise ValidationFailed(str(_l("Give new dates.")), field="start_on")
    move = AuditReschedule(
        audit_id=audit.id,
        from_start_on=audit.start_on,
        from_end_on=audit.end_on,
        to_start_on=start_on,
        to_end_on=end_on,
        reason=(reason or "").strip(),
        by_id=actor.id,
    )
    WORKFLOW.apply(
        session,
        audit,
        AuditAction.RESCHEDULE,
        actor,
        reason=reason,
        values={"start_on": start_on, "end_on": end_on, "notified_at": None},
        details={
            "from": [move.from_start_on.isoformat(), move.from_end_on.isoformat()],
            "to": [start_on.isoformat(), end_on.isoformat()],
        },
    )
    session.add(move)
    session.flush()
    return audit


def cancel_audit(session: Session, actor: Any, audit_id: int, reason: str) -> Audit:
    audit = get_audit(session, actor, audit_id)
    WORKFLOW.apply(
        session,
        audit,
        AuditAction.CANCEL,
        actor,
        reason=reason,
        values={"cancel_reason": (reason or "").strip()},
    )
    return audit


def start_audit(session: Session, actor: Any, audit_id: int) -> Audit:
    """The opening meeting is held: answers and findings may be recorded from now on."""
    audit = get_audit(session, actor, audit_id)
    WORKFLOW.apply(session, audit, AuditAction.START, actor, values={"started_at": utcnow()})
    return audit


def audits_done(session: Session, user_id: int) -> int:
    """Audits a user took part in as an auditor whose report was issued."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(AuditTeamMember)
        .join(Audit, Audit.id == AuditTeamMember.audit_id)
        .where(
            AuditTeamMember.user_id == user_id,
            AuditTeamMember.removed_at.is_(None),
            Audit.state.in_((AuditState.REPORT_ISSUED, AuditState.CLOSED)),
        )
    )
    return int(session.scalar(stmt) or 0)
