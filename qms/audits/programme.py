"""The year's audit programme, its coverage of processes and clauses, and schedule adherence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.models import Audit, AuditorProfile, AuditProgramme, AuditState, FindingGrade
from qms.audits.services import text
from qms.core.db import utcnow
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.localtime import local_today
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.documents import iso9001
from qms.processes.models import Process
from qms.trail import services as trail

P = Permission
PROGRAMME_FIELDS = ("objectives", "scope", "criteria", "risks", "methods", "resources")
# The clauses a year's programme is expected to cover: the requirements of chapters 4 to 10.
COVERAGE_CLAUSES = tuple(
    c.number for c in iso9001.CLAUSES if c.number.count(".") == 1 and c.number[0].isdigit()
)
LIVE = (
    AuditState.PLANNED,
    AuditState.PLAN_NOTIFIED,
    AuditState.IN_PROGRESS,
    AuditState.REPORT_ISSUED,
    AuditState.CLOSED,
)


def get_programme(session: Session, year: int) -> AuditProgramme | None:
    return session.scalar(sa.select(AuditProgramme).where(AuditProgramme.year == year))


def programme_years(session: Session) -> list[int]:
    return list(session.scalars(sa.select(AuditProgramme.year).order_by(AuditProgramme.year)))


def save_programme(session: Session, actor: Any, year: int, **fields: str) -> AuditProgramme:
    """Create the year's programme or change it; objectives, scope and criteria are required."""
    require(actor, P.AUDIT_PROGRAMME_MANAGE)
    if not 2000 <= year <= 2100:
        raise ValidationFailed(str(_l("Give a valid year.")), field="year")
    unknown = set(fields) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValidationFailed(str(_l("Unknown field.")), field=sorted(unknown)[0])
    required = {
        "objectives": _l("Give the programme's objectives."),
        "scope": _l("Give the programme's scope."),
        "criteria": _l("Give the audit criteria."),
    }
    values = {
        name: text(fields.get(name), name, required=required.get(name)) for name in PROGRAMME_FIELDS
    }
    programme = get_programme(session, year)
    if programme is None:
        programme = AuditProgramme(year=year, created_by_id=actor.id, **values)
        session.add(programme)
        session.flush()
        trail.record(
            session,
            TrailAction.AUDIT_PROGRAMME_CREATE,
            "audit_programme",
            programme.id,
            actor=actor,
            after={"year": year, **values},
        )
        return programme
    before = {name: getattr(programme, name) for name in PROGRAMME_FIELDS}
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return programme
    for name, value in changed.items():
        setattr(programme, name, value)
    programme.updated_at = utcnow()
    session.flush()
    trail.record(
        session,
        TrailAction.AUDIT_PROGRAMME_EDIT,
        "audit_programme",
        programme.id,
        actor=actor,
        before={"year": year, **{k: before[k] for k in changed}},
        after={"year": year, **changed},
    )
    return programme


@dataclass
class Coverage:
    """Processes × clauses × the year's audits, and what the year leaves out."""

    year: int
    processes: list[Process]
    clauses: tuple[str, ...]
    # (process id, clause) → codes of the audits that cover it
    cells: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    audits_by_process: dict[int, list[Audit]] = field(default_factory=dict)
    unaudited_processes: list[Process] = field(default_factory=list)
    unaudited_clauses: list[str] = field(default_factory=list)
    # Processes whose last audit found a major NC and no later audit follows it up.
    needs_follow_up: list[tuple[Process, Audit]] = field(default_factory=list)


def _covers(audit_clause: str, clause: str) -> bool:
    """9.2 covers 9.2.1; chapter 9 covers 9.2; 9.2.1 alone counts for 9.2 too."""
    return (
        audit_clause == clause
        or clause.startswith(audit_clause + ".")
        or audit_clause.startswith(clause + ".")
    )


def coverage(session: Session, actor: Any, year: int) -> Coverage:
    require(actor, P.AUDIT_READ_ALL)
    processes = list(
        session.scalars(sa.select(Process).where(Process.active.is_(True)).order_by(Process.code))
    )
    audits = list(
        session.scalars(
            sa.select(Audit)
            .where(Audit.year == year, Audit.state.in_(LIVE))
            .order_by(Audit.start_on)
        )
    )
    result = Coverage(year=year, processes=processes, clauses=COVERAGE_CLAUSES)
    covered_clauses: set[str] = set()
    for audit in audits:
        for process in audit.processes:
            result.audits_by_process.setdefault(process.id, []).append(audit)
            for clause in COVERAGE_CLAUSES:
                if any(_covers(c, clause) for c in audit.clauses or []):
                    result.cells.setdefault((process.id, clause), []).append(audit.code)
                    covered_clauses.add(clause)
    result.unaudited_processes = [p for p in processes if p.id not in result.audits_by_process]
    result.unaudited_clauses = [c for c in COVERAGE_CLAUSES if c not in covered_clauses]
    result.needs_follow_up = needs_follow_up(session, processes)
    return result


def needs_follow_up(session: Session, processes: list[Process]) -> list[tuple[Process, Audit]]:
    done = (AuditState.REPORT_ISSUED, AuditState.CLOSED)
    found = []
    for process in processes:
        stmt = (
            sa.select(Audit)
            .where(Audit.processes.any(Process.id == process.id), Audit.state.in_(done))
            .order_by(Audit.end_on.desc(), Audit.id.desc())
        )
        last = session.scalars(stmt).first()
        if last is None:
            continue
        majors = [
            f
            for f in last.findings
            if f.grade == FindingGrade.MAJOR_NC and f.process_id == process.id
        ]
        if not majors:
            continue
        follow_up = session.scalar(
            sa.select(Audit.id).where(
                Audit.follow_up_of_id == last.id, Audit.state != AuditState.CANCELLED
            )
        )
        if follow_up is None:
            found.append((process, last))
    return found


@dataclass(frozen=True)
class Adherence:
    """Audits carried out in the month they were first planned for, of those due so far."""

    due: int
    on_plan: int

    @property
    def rate(self) -> float | None:
        return self.on_plan / self.due if self.due else None


def adherence(session: Session, year: int, today: date) -> Adherence:
    """An audit counts once its planned month has passed or it has started, whichever first."""
    audits = session.scalars(
        sa.select(Audit).where(Audit.year == year, Audit.state != AuditState.CANCELLED)
    )
    due = on_plan = 0
    for audit in audits:
        month_over = (audit.planned_month.year, audit.planned_month.month) < (
            today.year,
            today.month,
        )
        started = audit.started_at is not None
        if not (month_over or started):
            continue
        due += 1
        if started and (audit.start_on.year, audit.start_on.month) == (
            audit.planned_month.year,
            audit.planned_month.month,
        ):
            on_plan += 1
    return Adherence(due=due, on_plan=on_plan)


def save_auditor_profile(
    session: Session,
    actor: Any,
    user_id: int,
    *,
    training: str,
    qualified_on: date | None,
    notes: str = "",
) -> AuditorProfile:
    """A quality lead keeps each auditor's qualification (training, date, remarks)."""
    require(actor, P.AUDIT_PROGRAMME_MANAGE)
    from qms.users.models import User

    user = session.get(User, user_id)
    if user is None:
        raise NotFound(str(_l("User not found.")))
    if qualified_on is not None and qualified_on > local_today():
        raise ValidationFailed(str(_l("The date cannot be in the future.")), field="qualified_on")
    profile = session.get(AuditorProfile, user_id)
    values = {
        "training": text(training, "training", required=_l("Describe the auditor's training.")),
        "qualified_on": qualified_on,
        "notes": text(notes, "notes"),
    }
    before = None
    if profile is None:
        profile = AuditorProfile(user_id=user_id, updated_by_id=actor.id, **values)
        session.add(profile)
    else:
        before = {"training": profile.training, "qualified_on": _iso(profile.qualified_on)}
        for name, value in values.items():
            setattr(profile, name, value)
        profile.updated_by_id, profile.updated_at = actor.id, utcnow()
    session.flush()
    trail.record(
        session,
        TrailAction.AUDITOR_QUALIFY,
        "user",
        user_id,
        actor=actor,
        before=before,
        after={
            "user": user.username,
            "training": values["training"],
            "qualified_on": _iso(qualified_on),
        },
    )
    return profile


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def require_programme(session: Session, year: int) -> AuditProgramme:
    programme = get_programme(session, year)
    if programme is None:
        raise Conflict(str(_l("Write the %(year)d audit programme first.", year=year)))
    return programme
