"""Read-only helpers of the planning pages: who may audit, who is tied to which process, and
the month grid of the audit calendar. Nothing here writes."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.audits.models import Audit, AuditorProfile, AuditState
from qms.audits.services import audits_done
from qms.core.permissions import Role
from qms.processes.models import Process
from qms.users.models import User, UserRole

AUDITOR_ROLES = (Role.AUDITOR.value, Role.QUALITY_LEAD.value)


def active_processes(session: Session) -> list[Process]:
    stmt = sa.select(Process).where(Process.active.is_(True)).order_by(Process.code)
    return list(session.scalars(stmt))


def finished_audits(session: Session) -> list[Audit]:
    """Audits whose report is issued (or closed), newest first: what a follow-up can follow."""
    stmt = (
        sa.select(Audit)
        .where(Audit.state.in_((AuditState.REPORT_ISSUED, AuditState.CLOSED)))
        .order_by(Audit.end_on.desc(), Audit.id.desc())
    )
    return list(session.scalars(stmt))


def active_users(session: Session) -> list[User]:
    stmt = sa.select(User).where(User.active.is_(True)).order_by(User.full_name)
    return list(session.scalars(stmt))


def auditor_candidates(session: Session) -> list[User]:
    """Active users holding the auditor or the quality lead role: who may sit on a team."""
    holders = sa.select(UserRole.user_id).where(UserRole.role.in_(AUDITOR_ROLES))
    stmt = (
        sa.select(User)
        .where(User.active.is_(True), User.id.in_(holders))
        .order_by(User.full_name, User.id)
    )
    return list(session.scalars(stmt))


def affiliations(session: Session, users: list[User]) -> dict[int, list[str]]:
    """Per user, the codes of the active processes they lead or belong to (independence)."""
    ids = {u.id for u in users}
    found: dict[int, list[str]] = {}
    for process in active_processes(session):
        tied = {process.leader_id} | {m.id for m in process.members}
        for user_id in sorted(ids & tied):
            found.setdefault(user_id, []).append(process.code)
    return found


@dataclass
class AuditorRow:
    user: User
    profile: AuditorProfile | None
    audits_done: int


def auditor_rows(session: Session) -> list[AuditorRow]:
    return [
        AuditorRow(u, session.get(AuditorProfile, u.id), audits_done(session, u.id))
        for u in auditor_candidates(session)
    ]


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    audits: list[Audit] = field(default_factory=list)


def month_grid(audits: list[Audit], year: int, month: int) -> list[list[CalendarDay]]:
    """Weeks (Monday first) of the month; each day lists the audits under way on it."""
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [
        [
            CalendarDay(
                day,
                day.month == month,
                [a for a in audits if a.start_on <= day <= a.end_on],
            )
            for day in week
        ]
        for week in weeks
    ]


def shift_month(year: int, month: int, step: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + step
    return index // 12, index % 12 + 1
