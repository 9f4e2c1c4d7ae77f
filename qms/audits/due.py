"""What the internal audits have due, for `qms tick`'s reminders (qms.tick).

- a plan still to be sent when the audit starts within QMS_AUDIT_PLAN_NOTICE_DAYS (or has
  started already): to the lead auditor and the quality leads;
- a report overdue QMS_AUDIT_REPORT_DAYS after the audit ended, while it is still in progress:
  to the lead auditor and the quality leads;
- a follow-up audit to plan, when a process's last issued or closed audit found a major
  nonconformity and no audit follows it up yet: to the quality leads, once per audit.

Each key names the occasion (with the dates it depends on), so a second tick creates nothing
and a rescheduled audit is reminded again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.audits.calendar import audit_path
from qms.audits.models import Audit, AuditState
from qms.audits.programme import needs_follow_up
from qms.core.timefmt import format_day
from qms.notifications.due import DueItem, quality_leads
from qms.processes.models import Process
from qms.users.models import User

DEFAULT_PLAN_NOTICE_DAYS = 7
DEFAULT_REPORT_DAYS = 5


def _with_leads(first: User | None, leads: list[User]) -> list[User]:
    people: dict[int, User] = {}
    for person in [first, *leads]:
        if person is not None and person.active:
            people.setdefault(person.id, person)
    return list(people.values())


def _plans_to_notify(session: Session, today: date, notice_days: int) -> Iterator[DueItem]:
    stmt = sa.select(Audit).where(
        Audit.state == AuditState.PLANNED,
        Audit.start_on <= today + timedelta(days=notice_days),
    )
    leads = quality_leads(session)
    for audit in session.scalars(stmt.order_by(Audit.start_on, Audit.id)):
        for person in _with_leads(audit.lead_auditor, leads):
            with force_locale(person.locale or "es"):
                title = _(
                    "Send the plan of audit %(code)s: it starts on %(day)s",
                    code=audit.code,
                    day=format_day(audit.start_on),
                )
            yield DueItem(
                person.id,
                f"audit-plan-due:{audit.id}:{audit.start_on}",
                title,
                audit.title,
                audit_path(audit.id),
            )


def _reports_overdue(session: Session, today: date, report_days: int) -> Iterator[DueItem]:
    stmt = sa.select(Audit).where(
        Audit.state == AuditState.IN_PROGRESS,
        Audit.end_on < today - timedelta(days=report_days),
    )
    leads = quality_leads(session)
    for audit in session.scalars(stmt.order_by(Audit.end_on, Audit.id)):
        due = audit.end_on + timedelta(days=report_days)
        for person in _with_leads(audit.lead_auditor, leads):
            with force_locale(person.locale or "es"):
                title = _(
                    "The report of audit %(code)s is overdue (due %(day)s)",
                    code=audit.code,
                    day=format_day(due),
                )
            yield DueItem(
                person.id,
                f"audit-report-overdue:{audit.id}:{due}",
                title,
                audit.title,
                audit_path(audit.id),
            )


def _follow_ups(session: Session) -> Iterator[DueItem]:
    processes = list(
        session.scalars(sa.select(Process).where(Process.active.is_(True)).order_by(Process.code))
    )
    by_audit: dict[int, tuple[Audit, list[str]]] = {}
    for process, audit in needs_follow_up(session, processes):
        by_audit.setdefault(audit.id, (audit, []))[1].append(process.code)
    if not by_audit:
        return
    leads = quality_leads(session)
    for audit, codes in by_audit.values():
        for person in leads:
            with force_locale(person.locale or "es"):
                title = _(
                    "Plan a follow-up audit of %(processes)s: %(code)s found a major nonconformity",
                    processes=", ".join(codes),
                    code=audit.code,
                )
            yield DueItem(
                person.id, f"audit-follow-up:{audit.id}", title, audit.title, audit_path(audit.id)
            )


def audit_due_items(
    session: Session,
    today: date,
    *,
    plan_notice_days: int = DEFAULT_PLAN_NOTICE_DAYS,
    report_days: int = DEFAULT_REPORT_DAYS,
) -> Iterator[DueItem]:
    yield from _plans_to_notify(session, today, plan_notice_days)
    yield from _reports_overdue(session, today, report_days)
    yield from _follow_ups(session)
