"""Request bodies of internal audits. Grades, kinds and answers are listed for clients and
checked by the services, which name the field in the pages' words."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from qms.api.models.common import Body, DayText, Password, nullable, one_of
from qms.audits.models import AgendaKind, Answer, FindingGrade

_SEAT_SCHEMA = {
    "type": "object",
    "required": ["user_id"],
    "properties": {
        "user_id": {"type": "integer"},
        "justification": {
            "type": "string",
            "description": "Required when the auditor leads or belongs to an audited process "
            "(independence waived by a quality lead; recorded in the trail).",
        },
    },
    "additionalProperties": False,
}
# A seat's content is read by the endpoint, whose refusal ("Choose active users.") names the
# field, as it always did; the lead auditor's is at least an object, a listed one anything.
Seat = Annotated[dict[str, Any], WithJsonSchema(_SEAT_SCHEMA)]
ListedSeat = Annotated[Any, WithJsonSchema(_SEAT_SCHEMA)]
_UNCHANGED = "Unchanged: dates move by rescheduling."


class AuditProgrammeSave(Body):
    objectives: str
    scope: str
    criteria: str
    risks: str = ""
    methods: str = ""
    resources: str = ""


class _Plan(Body):
    title: str
    scope: str
    criteria: str
    process_ids: list[int]
    start_on: DayText
    end_on: DayText
    lead_auditor: Seat
    auditors: list[ListedSeat] = Field(default=[], description="Besides the lead auditor.")
    auditee_ids: list[int] = []
    clauses: list[str] = Field(
        default=[], description="ISO 9001:2015 clause numbers, e.g. `8.2.1`."
    )
    objectives: str = ""
    place: str = ""
    follow_up_of_id: int | None = nullable(
        description="The audit whose major nonconformities this one follows up."
    )


class AuditPlanCreate(_Plan):
    programme_year: int | None = Field(default=None, description="Or `programme_id`.")
    programme_id: int | None = None


class AuditPlanEdit(_Plan):
    """The whole plan: an omitted list or text is emptied."""

    # Optional here only; pydantic takes the narrowing, mypy does not know it may.
    start_on: DayText | None = Field(default=None, description=_UNCHANGED)  # type: ignore[assignment]
    end_on: DayText | None = Field(default=None, description=_UNCHANGED)  # type: ignore[assignment]


class AuditReschedulePlan(Body):
    start_on: DayText
    end_on: DayText
    reason: str


class AuditCancel(Body):
    reason: str


class AuditAgendaItemCreate(Body):
    kind: str = one_of(AgendaKind)
    day: DayText = Field(description="A day of the audit, from start_on to end_on.")
    starts_at: str = Field(description="HH:MM, local time.")
    ends_at: str = Field(description="HH:MM, after starts_at.")
    process_id: int | None = nullable(
        description="One of the audited processes; required for an interview."
    )
    topic: str = ""
    participants: str = ""


class AuditQuestionCreate(Body):
    text: str
    iso_clause: str = ""
    process_id: int | None = None


class AuditQuestionEdit(Body):
    text: str


class AuditAnswer(Body):
    answer: str = one_of(Answer)
    notes: str = Field(default="", description="Required for nonconforming.")


class AuditFindingCreate(Body):
    grade: str = one_of(FindingGrade)
    process_id: int = Field(description="One of the audited processes.")
    criterion: str
    evidence: str
    statement: str
    iso_clause: str = ""
    question_id: int | None = None


class AuditReportText(Body):
    conclusions: str
    strengths: str = ""
    distribution: str = ""


class AuditReportIssue(Body):
    password: Password


class AuditReportAccept(Body):
    password: Password
    comment: str = ""


class AuditorProfileSave(Body):
    training: str
    qualified_on: DayText | None = nullable()
    notes: str = ""
