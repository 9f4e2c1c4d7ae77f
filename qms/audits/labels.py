"""Labels of the internal-audit enums, shared by every audit page, print and feed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from qms.audits.models import (
    AgendaKind,
    Answer,
    AuditState,
    FindingGrade,
    ReportSignatureMeaning,
    TeamRole,
)

STATE_LABELS = {
    AuditState.PLANNED.value: _lp("audit", "Planned"),
    AuditState.PLAN_NOTIFIED.value: _lp("audit", "Plan notified"),
    AuditState.IN_PROGRESS.value: _lp("audit", "In progress"),
    AuditState.REPORT_ISSUED.value: _lp("audit", "Report issued"),
    AuditState.CLOSED.value: _lp("audit", "Closed"),
    AuditState.CANCELLED.value: _lp("audit", "Cancelled"),
}
GRADE_LABELS = {
    FindingGrade.MAJOR_NC.value: _l("Major nonconformity"),
    FindingGrade.MINOR_NC.value: _l("Minor nonconformity"),
    FindingGrade.OBSERVATION.value: _l("Observation"),
    FindingGrade.OPPORTUNITY.value: _l("Opportunity for improvement"),
}
ANSWER_LABELS = {
    Answer.CONFORMING.value: _l("Conforming"),
    Answer.NONCONFORMING.value: _l("Nonconforming"),
    Answer.NOT_APPLICABLE.value: _l("Not applicable"),
}
TEAM_ROLE_LABELS = {
    TeamRole.LEAD.value: _l("Lead auditor"),
    TeamRole.AUDITOR.value: _lp("audit team", "Auditor"),
}
AGENDA_KIND_LABELS = {
    AgendaKind.OPENING.value: _l("Opening meeting"),
    AgendaKind.INTERVIEW.value: _l("Interview"),
    AgendaKind.CLOSING.value: _l("Closing meeting"),
    AgendaKind.OTHER.value: _lp("agenda", "Other"),
}
SIGNATURE_LABELS = {
    ReportSignatureMeaning.SIGNED.value: _l("Signed by the lead auditor"),
    ReportSignatureMeaning.ACCEPTED.value: _l("Accepted by the process leader"),
}


def all_labels() -> dict[str, dict[str, object]]:
    """Every label dict, for a template's context."""
    return {
        "state_labels": STATE_LABELS,
        "grade_labels": GRADE_LABELS,
        "answer_labels": ANSWER_LABELS,
        "team_role_labels": TEAM_ROLE_LABELS,
        "agenda_kind_labels": AGENDA_KIND_LABELS,
        "signature_labels": SIGNATURE_LABELS,
    }
