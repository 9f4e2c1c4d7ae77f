"""Internal audits (ISO 9001 clause 9.2, ISO 19011): programme, audits, checklists, findings.

Not to be confused with the audit *trail* (`qms.trail`). Rows are evidence: nothing here is
ever deleted; once an audit's report is issued its checklist, findings and report are read-only
(the services refuse, and the database refuses deletes).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.blobs.models import AttachedFile
from qms.core.db import Base, UTCDateTime, utcnow
from qms.processes.models import Process
from qms.users.models import User


class AuditState(StrEnum):
    PLANNED = "planned"
    PLAN_NOTIFIED = "plan_notified"
    IN_PROGRESS = "in_progress"
    REPORT_ISSUED = "report_issued"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class TeamRole(StrEnum):
    LEAD = "lead"
    AUDITOR = "auditor"


class Answer(StrEnum):
    CONFORMING = "conforming"
    NONCONFORMING = "nonconforming"
    NOT_APPLICABLE = "not_applicable"


class FindingGrade(StrEnum):
    MAJOR_NC = "major_nc"
    MINOR_NC = "minor_nc"
    OBSERVATION = "observation"
    OPPORTUNITY = "opportunity"

    @property
    def is_nonconformity(self) -> bool:
        return self in (FindingGrade.MAJOR_NC, FindingGrade.MINOR_NC)


class AgendaKind(StrEnum):
    OPENING = "opening"
    INTERVIEW = "interview"
    CLOSING = "closing"
    OTHER = "other"


class ReportSignatureMeaning(StrEnum):
    SIGNED = "signed"  # by the lead auditor: the report is issued
    ACCEPTED = "accepted"  # by the leader of an audited process


audit_processes = sa.Table(
    "audit_processes",
    Base.metadata,
    sa.Column("audit_id", sa.ForeignKey("audits.id"), primary_key=True),
    sa.Column("process_id", sa.ForeignKey("processes.id"), primary_key=True),
)

audit_auditees = sa.Table(
    "audit_auditees",
    Base.metadata,
    sa.Column("audit_id", sa.ForeignKey("audits.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class AuditProgramme(Base):
    """Programa de auditorías of one year: what the audits are for and how they are done."""

    __tablename__ = "audit_programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    objectives: Mapped[str] = mapped_column(sa.Text)
    scope: Mapped[str] = mapped_column(sa.Text)
    criteria: Mapped[str] = mapped_column(sa.Text)
    risks: Mapped[str] = mapped_column(sa.Text, default="")
    methods: Mapped[str] = mapped_column(sa.Text, default="")
    resources: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    audits: Mapped[list[Audit]] = relationship(
        back_populates="programme", order_by="Audit.start_on"
    )


class AuditorProfile(Base):
    """What qualifies a user to audit: training and experience (audits done are counted)."""

    __tablename__ = "auditor_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    training: Mapped[str] = mapped_column(sa.Text, default="")
    qualified_on: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class Audit(Base):
    """One internal audit: when, where, of what, against which criteria, by whom."""

    __tablename__ = "audits"
    __table_args__ = (sa.UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_programmes.id"), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default=AuditState.PLANNED, index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    objectives: Mapped[str] = mapped_column(sa.Text, default="")
    scope: Mapped[str] = mapped_column(sa.Text)
    criteria: Mapped[str] = mapped_column(sa.Text)
    clauses: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    # The month it was first planned for: reschedules move start_on, never this (adherence).
    planned_month: Mapped[date] = mapped_column(sa.Date)
    start_on: Mapped[date] = mapped_column(sa.Date, index=True)
    end_on: Mapped[date] = mapped_column(sa.Date)
    lead_auditor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    # The report's own text, written while the audit is in progress; frozen once issued.
    conclusions: Mapped[str] = mapped_column(sa.Text, default="")
    strengths: Mapped[str] = mapped_column(sa.Text, default="")
    distribution: Mapped[str] = mapped_column(sa.Text, default="")
    report_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # The audit that follows this one up (after major nonconformities), if any.
    follow_up_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audits.id"))

    programme: Mapped[AuditProgramme] = relationship(back_populates="audits")
    lead_auditor: Mapped[User] = relationship(foreign_keys=[lead_auditor_id], lazy="joined")
    processes: Mapped[list[Process]] = relationship(
        secondary=audit_processes, lazy="selectin", order_by=Process.code
    )
    auditees: Mapped[list[User]] = relationship(
        secondary=audit_auditees, lazy="selectin", order_by=User.full_name
    )
    # Seats taken off the team keep their row (removed_at): the team's history is evidence.
    team: Mapped[list[AuditTeamMember]] = relationship(
        primaryjoin="and_(Audit.id == AuditTeamMember.audit_id, "
        "AuditTeamMember.removed_at.is_(None))",
        lazy="selectin",
        order_by="AuditTeamMember.id",
        viewonly=True,
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        order_by="(AgendaItem.day, AgendaItem.starts_at, AgendaItem.id)"
    )
    questions: Mapped[list[ChecklistQuestion]] = relationship(
        back_populates="audit", order_by="(ChecklistQuestion.position, ChecklistQuestion.id)"
    )
    findings: Mapped[list[Finding]] = relationship(back_populates="audit", order_by="Finding.seq")
    reschedules: Mapped[list[AuditReschedule]] = relationship(order_by="AuditReschedule.id")
    signatures: Mapped[list[AuditSignature]] = relationship(order_by="AuditSignature.id")

    def team_ids(self) -> set[int]:
        return {member.user_id for member in self.team}

    def is_on_team(self, user_id: int) -> bool:
        return user_id in self.team_ids()

    def leads_audited_process(self, user_id: int) -> bool:
        return any(p.leader_id == user_id for p in self.processes)

    def is_owned_by(self, user_id: int) -> bool:
        """Those it concerns: the team, the auditees, the leaders of the audited processes."""
        return (
            self.is_on_team(user_id)
            or any(u.id == user_id for u in self.auditees)
            or self.leads_audited_process(user_id)
        )

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        team = sa.select(AuditTeamMember.audit_id).where(
            AuditTeamMember.user_id == user_id, AuditTeamMember.removed_at.is_(None)
        )
        audited = sa.select(audit_auditees.c.audit_id).where(audit_auditees.c.user_id == user_id)
        led = (
            sa.select(audit_processes.c.audit_id)
            .join(Process, Process.id == audit_processes.c.process_id)
            .where(Process.leader_id == user_id)
        )
        return sa.or_(cls.id.in_(team), cls.id.in_(audited), cls.id.in_(led))

    def nc_findings_without_nonconformity(self) -> list[Finding]:
        return [
            f
            for f in self.findings
            if FindingGrade(f.grade).is_nonconformity and f.nonconformity_id is None
        ]


class AuditTeamMember(Base):
    """An auditor on an audit; a justification when a quality lead waived independence."""

    __tablename__ = "audit_team_members"
    __table_args__ = (sa.UniqueConstraint("audit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(10), default=TeamRole.AUDITOR)
    independence_justification: Mapped[str] = mapped_column(sa.Text, default="")
    justified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")


class AuditReschedule(Base):
    """A move of the audit's dates, with the reason: the schedule's history."""

    __tablename__ = "audit_reschedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    from_start_on: Mapped[date] = mapped_column(sa.Date)
    from_end_on: Mapped[date] = mapped_column(sa.Date)
    to_start_on: Mapped[date] = mapped_column(sa.Date)
    to_end_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.Text)
    by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    by: Mapped[User] = relationship(lazy="joined")


class AgendaItem(Base):
    """One line of the audit plan's agenda: opening, an interview, the closing meeting."""

    __tablename__ = "audit_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))
    day: Mapped[date] = mapped_column(sa.Date)
    starts_at: Mapped[str] = mapped_column(sa.String(5))  # HH:MM, local time of the audit
    ends_at: Mapped[str] = mapped_column(sa.String(5))
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id"))
    topic: Mapped[str] = mapped_column(sa.Text, default="")
    participants: Mapped[str] = mapped_column(sa.Text, default="")

    process: Mapped[Process | None] = relationship(lazy="joined")


class ChecklistQuestion(Base):
    """A checklist question tied to a clause or to a document version, and its answer."""

    __tablename__ = "audit_checklist_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)
    iso_clause: Mapped[str] = mapped_column(sa.String(20), default="")
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_versions.id"))
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id"))
    # Kept when a question is taken out before the audit, so the checklist's history stays.
    withdrawn: Mapped[bool] = mapped_column(default=False)
    answer: Mapped[str] = mapped_column(sa.String(20), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    audit: Mapped[Audit] = relationship(back_populates="questions")
    process: Mapped[Process | None] = relationship(lazy="joined")
    evidence: Mapped[list[ChecklistEvidence]] = relationship(order_by="ChecklistEvidence.id")


class ChecklistEvidence(AttachedFile, Base):
    """A file of evidence (photo, record) attached to an answer, in the blob store."""

    __tablename__ = "audit_checklist_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("audit_checklist_questions.id"), index=True
    )


class Finding(Base):
    """Hallazgo: criterion, evidence, grade; a nonconformity finding opens a nonconformity."""

    __tablename__ = "audit_findings"
    __table_args__ = (sa.UniqueConstraint("audit_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    seq: Mapped[int] = mapped_column()
    grade: Mapped[str] = mapped_column(sa.String(20))
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id"), index=True)
    iso_clause: Mapped[str] = mapped_column(sa.String(20), default="")
    criterion: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[str] = mapped_column(sa.Text)
    statement: Mapped[str] = mapped_column(sa.Text)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audit_checklist_questions.id"))
    nonconformity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nonconformities.id"), unique=True
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="findings")
    process: Mapped[Process] = relationship(lazy="joined")


class AuditSignature(Base):
    """The report signed by the lead auditor or accepted by a process leader: never edited."""

    __tablename__ = "audit_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(sa.ForeignKey("audits.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    meaning: Mapped[str] = mapped_column(sa.String(20))
    printed_name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalendarFeed(Base):
    """A user's private iCalendar feed: the URL's token is stored hashed; revoked is final."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")
