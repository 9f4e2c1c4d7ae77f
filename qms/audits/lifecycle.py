"""The audit lifecycle as one table of transitions, applied by the workflow engine.

planned → plan notified → in progress → report issued → closed, with reschedule (back to
planned: the plan is notified again) and cancel with a reason. A lost race is a 409.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.audits.models import Audit, AuditState, ReportSignatureMeaning
from qms.core.errors import Conflict, PermissionDenied, ValidationFailed
from qms.core.permissions import Permission, can
from qms.core.trail_actions import TrailAction
from qms.core.workflow import Rule, Workflow
from qms.trail import services as trail

S = AuditState
P = Permission


class AuditAction(StrEnum):
    NOTIFY_PLAN = "notify_plan"
    START = "start"
    ISSUE_REPORT = "issue_report"
    CLOSE = "close"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"


def is_lead_auditor(audit: Audit, actor: Any) -> None:
    if actor is None or audit.lead_auditor_id != actor.id:
        raise PermissionDenied(str(_l("Only the lead auditor of this audit may do this.")))


def is_on_team(audit: Audit, actor: Any) -> None:
    if actor is None or not audit.is_on_team(actor.id):
        raise PermissionDenied(str(_l("Only the audit team may do this.")))


def plan_is_complete(audit: Audit, _actor: Any) -> None:
    """An audit plan names scope, criteria, processes and auditees before it is sent."""
    if not audit.scope.strip() or not audit.criteria.strip():
        raise ValidationFailed(str(_l("An audit needs its scope and criteria.")), field="criteria")
    if not audit.auditees:
        raise ValidationFailed(str(_l("Name the auditees first.")), field="auditees")


def lead_with_complete_plan(audit: Audit, actor: Any) -> None:
    """The lead auditor sends the plan (or a quality lead, who owns the programme)."""
    if not can(actor, P.AUDIT_PROGRAMME_MANAGE):
        is_lead_auditor(audit, actor)
    plan_is_complete(audit, actor)


def report_is_ready(audit: Audit, actor: Any) -> None:
    is_lead_auditor(audit, actor)
    if not audit.conclusions.strip():
        raise ValidationFailed(
            str(_l("Write the conclusions of the report first.")), field="conclusions"
        )
    open_questions = [q for q in audit.questions if not q.withdrawn and not q.answer]
    if open_questions:
        raise ValidationFailed(
            str(
                _l(
                    "%(count)d checklist question(s) have no answer yet.",
                    count=len(open_questions),
                )
            ),
            field="checklist",
        )


def can_close(audit: Audit, _actor: Any) -> None:
    missing = audit.nc_findings_without_nonconformity()
    if missing:
        numbers = ", ".join(str(f.seq) for f in missing)
        raise Conflict(
            str(
                _l(
                    "Open a nonconformity for every nonconformity finding first (finding "
                    "%(numbers)s).",
                    numbers=numbers,
                )
            )
        )
    accepted = [s for s in audit.signatures if s.meaning == ReportSignatureMeaning.ACCEPTED]
    if not accepted:
        raise Conflict(str(_l("The report has not been accepted by the process leader yet.")))


TRANSITIONS: Mapping[tuple[str, str], Rule] = {
    (S.PLANNED, AuditAction.NOTIFY_PLAN): Rule(
        to=S.PLAN_NOTIFIED,
        permission=P.AUDIT_CONDUCT,
        trail_action=TrailAction.AUDIT_NOTIFY_PLAN,
        guard=lead_with_complete_plan,
    ),
    (S.PLAN_NOTIFIED, AuditAction.START): Rule(
        to=S.IN_PROGRESS,
        permission=P.AUDIT_CONDUCT,
        trail_action=TrailAction.AUDIT_START,
        guard=is_on_team,
    ),
    (S.IN_PROGRESS, AuditAction.ISSUE_REPORT): Rule(
        to=S.REPORT_ISSUED,
        permission=P.AUDIT_CONDUCT,
        trail_action=TrailAction.AUDIT_ISSUE_REPORT,
        guard=report_is_ready,
    ),
    (S.REPORT_ISSUED, AuditAction.CLOSE): Rule(
        to=S.CLOSED,
        permission=P.AUDIT_PROGRAMME_MANAGE,
        trail_action=TrailAction.AUDIT_CLOSE,
        guard=can_close,
    ),
    (S.PLANNED, AuditAction.RESCHEDULE): Rule(
        to=S.PLANNED,
        permission=P.AUDIT_PROGRAMME_MANAGE,
        trail_action=TrailAction.AUDIT_RESCHEDULE,
        needs_reason=True,
    ),
    (S.PLAN_NOTIFIED, AuditAction.RESCHEDULE): Rule(
        to=S.PLANNED,
        permission=P.AUDIT_PROGRAMME_MANAGE,
        trail_action=TrailAction.AUDIT_RESCHEDULE,
        needs_reason=True,
    ),
    **{
        (state, AuditAction.CANCEL): Rule(
            to=S.CANCELLED,
            permission=P.AUDIT_PROGRAMME_MANAGE,
            trail_action=TrailAction.AUDIT_CANCEL,
            needs_reason=True,
        )
        for state in (S.PLANNED, S.PLAN_NOTIFIED, S.IN_PROGRESS)
    },
}

# States in which the plan (dates, team, agenda, checklist questions) may still change.
PLANNING_STATES = (S.PLANNED, S.PLAN_NOTIFIED)


WORKFLOW = Workflow(
    TRANSITIONS,
    model=Audit,
    object_type="audit",
    describe=lambda a: {"code": a.code},
    record=trail.record,
)
