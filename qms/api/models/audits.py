"""Internal audits (clause 9.2) in the API: the answers. Most fields are the rows' columns."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field

from qms.api.models.capa import Nonconformity
from qms.api.models.common import Day, Moment, Response, from_row, one_of
from qms.audits.models import (
    AgendaKind,
    Answer,
    AuditorProfile,
    AuditState,
    ChecklistEvidence,
    ChecklistQuestion,
    FindingGrade,
    ReportSignatureMeaning,
    TeamRole,
)
from qms.audits.models import Audit as AuditRow
from qms.audits.models import AuditProgramme as ProgrammeRow
from qms.audits.models import CalendarFeed as CalendarFeedRow
from qms.audits.models import Finding as FindingRow
from qms.users.models import User

_CODES = "Process codes."


class AuditProcess(Response):
    id: int
    code: str
    name: str

    @classmethod
    def of(cls, process: Any) -> Self:
        return cls(id=process.id, code=process.code, name=process.name)


class Person(Response):
    id: int
    username: str
    full_name: str


class AuditSummary(Response):
    id: int
    code: str = Field(description="AUD-YYYY-NN.")
    year: int
    state: str = one_of(AuditState)
    title: str
    processes: list[AuditProcess]
    planned_month: Day = Field(description="First of the month first planned for.")
    start_on: Day
    end_on: Day
    lead_auditor_id: int
    lead_auditor: str

    @classmethod
    def of(cls, audit: AuditRow) -> Self:
        return from_row(cls, audit, **_summary_names(audit))


def _summary_names(audit: AuditRow) -> dict[str, Any]:
    return {
        "processes": [AuditProcess.of(p) for p in audit.processes],
        "lead_auditor": audit.lead_auditor.full_name,
    }


class AuditList(Response):
    items: list[AuditSummary]


class AuditProgramme(Response):
    id: int
    year: int
    objectives: str
    scope: str
    criteria: str
    risks: str
    methods: str
    resources: str
    created_by_id: int
    created_at: Moment
    updated_at: Moment
    audits: list[AuditSummary] = Field(description="The year's audits.")

    @classmethod
    def of(cls, programme: ProgrammeRow, audits: list[AuditRow]) -> Self:
        return from_row(cls, programme, audits=[AuditSummary.of(a) for a in audits])


class CoveredClause(Response):
    clause: str
    audits: list[str]


class CoveredProcess(AuditProcess):
    audits: list[str] = Field(description="Codes of the year's audits.")
    covered: list[CoveredClause]


class FollowUp(Response):
    process: str
    audit: str


class Adherence(Response):
    due: int = Field(description="Audits due so far.")
    on_plan: int = Field(description="Done in their month.")
    # int | float: a rate the service gives as a whole number stays one in the JSON.
    rate: int | float | None = Field(description="on_plan / due.")


class AuditCoverage(Response):
    year: int
    clauses: list[str] = Field(description="The clauses a year is expected to cover.")
    processes: list[CoveredProcess]
    unaudited_processes: list[str] = Field(description=_CODES)
    unaudited_clauses: list[str]
    needs_follow_up: list[FollowUp] = Field(
        description="Processes whose last audit found a major nonconformity, with no "
        "follow-up audit."
    )
    adherence: Adherence


class AuditTeamMember(Response):
    user_id: int
    username: str
    full_name: str
    role: str = one_of(TeamRole)
    independence_justification: str
    justified_by_id: int | None


class AuditAgendaItem(Response):
    id: int
    kind: str = one_of(AgendaKind)
    day: Day
    starts_at: str = Field(description="HH:MM, local time.")
    ends_at: str
    process_id: int | None
    topic: str
    participants: str


class AuditEvidence(Response):
    id: int
    question_id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    added_by_id: int
    created_at: Moment

    @classmethod
    def of(cls, evidence: ChecklistEvidence) -> Self:
        return from_row(cls, evidence, sha256=evidence.blob_sha256)


class AuditQuestion(Response):
    id: int
    audit_id: int
    position: int
    text: str
    iso_clause: str
    version_id: int | None
    process_id: int | None
    withdrawn: bool
    answer: str = one_of(["", *Answer])
    notes: str
    answered_by_id: int | None
    answered_at: Moment | None
    evidence: list[AuditEvidence]

    @classmethod
    def of(cls, question: ChecklistQuestion) -> Self:
        found = [AuditEvidence.of(e) for e in question.evidence]
        return from_row(cls, question, evidence=found)


class AuditFinding(Response):
    id: int
    audit_id: int
    seq: int
    grade: str = one_of(FindingGrade)
    process_id: int
    process: str = Field(description="The process code.")
    iso_clause: str
    criterion: str
    evidence: str
    statement: str
    question_id: int | None
    nonconformity_id: int | None
    created_by_id: int
    created_at: Moment

    @classmethod
    def of(cls, finding: FindingRow) -> Self:
        return from_row(cls, finding, process=finding.process.code)


class AuditSignature(Response):
    id: int
    user_id: int
    meaning: str = one_of(ReportSignatureMeaning)
    printed_name: str
    job_title: str
    comment: str
    content_sha256: str
    signed_at: Moment

    @classmethod
    def of(cls, signature: Any) -> Self:
        return from_row(cls, signature)


class AuditReschedule(Response):
    from_start_on: Day
    from_end_on: Day
    to_start_on: Day
    to_end_on: Day
    reason: str
    by_id: int
    at: Moment


class Audit(AuditSummary):
    programme_id: int
    objectives: str
    scope: str
    criteria: str
    clauses: list[str]
    place: str
    team: list[AuditTeamMember]
    auditees: list[Person]
    created_by_id: int
    created_at: Moment
    notified_at: Moment | None
    started_at: Moment | None
    report_issued_at: Moment | None
    closed_at: Moment | None
    cancel_reason: str
    conclusions: str
    strengths: str
    distribution: str
    report_sha256: str = Field(description="Set when the report is issued.")
    follow_up_of_id: int | None
    agenda: list[AuditAgendaItem]
    questions: list[AuditQuestion] = Field(description="Withdrawn ones included.")
    findings: list[AuditFinding]
    reschedules: list[AuditReschedule]
    signatures: list[AuditSignature]

    @classmethod
    def of(cls, audit: AuditRow) -> Self:
        team = [
            from_row(AuditTeamMember, m, username=m.user.username, full_name=m.user.full_name)
            for m in audit.team
        ]
        return from_row(
            cls,
            audit,
            **_summary_names(audit),
            clauses=list(audit.clauses or []),
            team=team,
            auditees=[
                Person(id=u.id, username=u.username, full_name=u.full_name) for u in audit.auditees
            ],
            agenda=[from_row(AuditAgendaItem, i) for i in audit.agenda],
            questions=[AuditQuestion.of(q) for q in audit.questions],
            findings=[AuditFinding.of(f) for f in audit.findings],
            reschedules=[from_row(AuditReschedule, r) for r in audit.reschedules],
            signatures=[AuditSignature.of(s) for s in audit.signatures],
        )


class ChecklistGenerated(Response):
    added: int = Field(description="New questions.")
    audit: Audit


class FindingNonconformity(Response):
    finding: AuditFinding
    nonconformity: Nonconformity


class SignedAuditReport(Response):
    signature: AuditSignature
    audit: Audit


class Auditor(Response):
    user_id: int
    username: str
    full_name: str
    job_title: str
    active: bool
    training: str
    qualified_on: Day | None
    notes: str
    audits_done: int = Field(description="Reports issued on their team.")

    @classmethod
    def of(cls, user: User, profile: AuditorProfile | None, audits_done: int) -> Self:
        return cls(
            user_id=user.id,
            username=user.username,
            full_name=user.full_name,
            job_title=user.job_title,
            active=user.active,
            training=profile.training if profile else "",
            qualified_on=profile.qualified_on if profile else None,
            notes=profile.notes if profile else "",
            audits_done=audits_done,
        )


class AuditorList(Response):
    items: list[Auditor]


class CalendarFeed(Response):
    """The token owner's private calendar feed; its URL is never shown again."""

    active: bool = Field(description="Whether the owner has a feed that works.")
    created_at: Moment | None = Field(description="When the active feed was created.")

    @classmethod
    def of(cls, feed: CalendarFeedRow | None) -> Self:
        """Whether there is an active feed and since when: never its token nor its hash."""
        return cls(active=feed is not None, created_at=feed.created_at if feed else None)


class CalendarFeedCreated(Response):
    url: str = Field(
        description="The subscribe URL, with its secret token: shown only in this response "
        "(only a hash is stored). Whoever has it reads the calendar.",
        json_schema_extra={"format": "uri"},
    )
    created_at: Moment
