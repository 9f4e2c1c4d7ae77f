"""What the internal audits ask of a person: the audits they audit or are audited in, the plans
and reports to send, the reports to accept, and for those who own the programme the audits to
close and the follow-ups to plan.

One item per audit, the most pressing of the person's parts in it. The dates are those of the
reminders (`qms.audits.due`): a plan is sent before the audit starts, a report is due
QMS_AUDIT_REPORT_DAYS after it ends. Only audits the person may see are listed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.audits.due import DEFAULT_PLAN_NOTICE_DAYS, DEFAULT_REPORT_DAYS
from qms.audits.models import Audit, AuditState, ReportSignatureMeaning
from qms.audits.programme import needs_follow_up
from qms.audits.services import audit_visibility
from qms.core.links import optional_url
from qms.core.permissions import Permission, can, can_own_variant
from qms.home.work import WorkItem
from qms.processes.models import Process

P = Permission
S = AuditState
OPEN = (S.PLANNED, S.PLAN_NOTIFIED, S.IN_PROGRESS, S.REPORT_ISSUED)
LIMIT = 200


def _days() -> tuple[int, int]:
    """(plan notice days, report days), as `qms tick` reads them."""
    if not has_app_context():
        return DEFAULT_PLAN_NOTICE_DAYS, DEFAULT_REPORT_DAYS
    settings = current_app.extensions["qms_settings"]
    return settings.audit_plan_notice_days, settings.audit_report_days


def takes_part(actor: Any) -> bool:
    """Anyone may be on a team or audited; the card is everyone's."""
    return can_own_variant(actor, P.AUDIT_READ_ALL)


def _audit_url(audit_id: int) -> str | None:
    return optional_url("audit_work.show", audit_id=audit_id)


def _part(audit: Audit, actor: Any, on: date, notice: int, report_days: int) -> WorkItem | None:
    """My most pressing part in this audit, or None when it asks nothing of me."""
    me = actor.id
    lead = audit.lead_auditor_id == me
    team = audit.is_on_team(me)
    leads_process = audit.leads_audited_process(me)
    audited = leads_process or any(u.id == me for u in audit.auditees)
    manages = can(actor, P.AUDIT_PROGRAMME_MANAGE)

    def item(kind: str, due_on: date | None, overdue: bool = False) -> WorkItem:
        return WorkItem(
            kind=kind,
            title=audit.title,
            code=audit.code,
            url=_audit_url(audit.id),
            due_on=due_on,
            overdue=overdue,
            badge_class=f"audit-{audit.state}",
        )

    state = audit.state
    if state == S.PLANNED:
        near = audit.start_on <= on + timedelta(days=notice)
        if lead or (manages and near):
            return item(_("Send the plan"), audit.start_on, audit.start_on <= on)
    if state in (S.PLANNED, S.PLAN_NOTIFIED):
        if team:
            return item(_("Audit to conduct"), audit.start_on)
        if audited:
            return item(_("Audit of your process"), audit.start_on)
    if state == S.IN_PROGRESS:
        report_due = audit.end_on + timedelta(days=report_days)
        late = report_due < on
        if lead:
            return item(_("Report to issue"), report_due, late)
        if team:
            return item(_("Audit in progress"), audit.end_on)
        if manages and late:
            return item(_("Report overdue"), report_due, True)
        if audited:
            return item(_("Audit of your process"), audit.end_on)
    if state == S.REPORT_ISSUED:
        accepted = {
            s.user_id for s in audit.signatures if s.meaning == ReportSignatureMeaning.ACCEPTED
        }
        if leads_process and can(actor, P.AUDIT_REPORT_ACCEPT) and me not in accepted:
            return item(_("Report to accept"), None)
        if manages and accepted:
            return item(_("Audit to close"), None)
    return None


def audit_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    notice, report_days = _days()
    mine = Audit.owned_by_clause(actor.id)
    if can(actor, P.AUDIT_PROGRAMME_MANAGE):
        # Who owns the programme sends plans and closes audits that are not theirs.
        mine = sa.or_(mine, Audit.state.in_((S.PLANNED, S.IN_PROGRESS, S.REPORT_ISSUED)))
    stmt = (
        sa.select(Audit)
        .where(Audit.state.in_(OPEN), mine, audit_visibility(actor))
        .order_by(Audit.start_on, Audit.id)
        .limit(LIMIT)
    )
    items = [
        part
        for audit in session.scalars(stmt).unique()
        if (part := _part(audit, actor, on, notice, report_days)) is not None
    ]
    if can(actor, P.AUDIT_PROGRAMME_MANAGE):
        items += _follow_ups(session)
    return items


def _follow_ups(session: Session) -> list[WorkItem]:
    processes = list(
        session.scalars(sa.select(Process).where(Process.active.is_(True)).order_by(Process.code))
    )
    by_audit: dict[int, tuple[Audit, list[str]]] = {}
    for process, audit in needs_follow_up(session, processes):
        by_audit.setdefault(audit.id, (audit, []))[1].append(process.code)
    return [
        WorkItem(
            kind=_("Plan a follow-up audit"),
            title=_(
                "%(processes)s: %(code)s found a major nonconformity",
                processes=", ".join(codes),
                code=audit.code,
            ),
            code=audit.code,
            url=_audit_url(audit.id),
        )
        for audit, codes in by_audit.values()
    ]
