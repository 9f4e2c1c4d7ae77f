"""Nonconformities (no conformidades), their root-cause analyses, actions and effectiveness checks.

Records are evidence: an analysis, a check or a correction appended after closing is a new row;
rows are never deleted. Reopening (a check that says "not effective") starts a new round, and
the earlier round's analysis and actions stay as they were.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.blobs.models import AttachedFile
from qms.core.db import Base, UTCDateTime, utcnow
from qms.processes.models import Process
from qms.users.models import User


class NcState(StrEnum):
    REPORTED = "reported"
    ACCEPTED = "accepted"
    CONTAINED = "contained"
    ANALYSED = "analysed"
    IN_PROGRESS = "in_progress"  # the action plan is approved; actions are being done
    AWAITING_CHECK = "awaiting_check"  # every action done: the effectiveness check is due
    CLOSED = "closed"
    DISCARDED = "discarded"


class NcSource(StrEnum):
    INTERNAL_AUDIT = "internal_audit"
    EXTERNAL_AUDIT = "external_audit"
    PQRS = "pqrs"
    PROCESS = "process"  # a process or indicator result
    SUPPLIER = "supplier"
    MANAGEMENT_REVIEW = "management_review"
    OTHER = "other"


class Severity(StrEnum):
    MAJOR = "major"
    MINOR = "minor"


class AnalysisMethod(StrEnum):
    FIVE_WHYS = "five_whys"
    ISHIKAWA = "ishikawa"


class ActionKind(StrEnum):
    CORRECTIVE = "corrective"
    PREVENTIVE = "preventive"
    IMPROVEMENT = "improvement"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class CheckResult(StrEnum):
    EFFECTIVE = "effective"
    NOT_EFFECTIVE = "not_effective"


class Nonconformity(Base):
    """No conformidad: what was found, where, and how far its treatment has come."""

    __tablename__ = "nonconformities"
    __table_args__ = (sa.UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(20), default=NcState.REPORTED, index=True)
    round: Mapped[int] = mapped_column(default=1)  # +1 each time a check reopens it
    source: Mapped[str] = mapped_column(sa.String(30))
    severity: Mapped[str] = mapped_column(sa.String(10), default=Severity.MINOR)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    detected_on: Mapped[date] = mapped_column(sa.Date)
    detected_by: Mapped[str] = mapped_column(sa.String(200), default="")
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_versions.id"))
    iso_clause: Mapped[str] = mapped_column(sa.String(20), default="")
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    containment: Mapped[str] = mapped_column(sa.Text, default="")
    contained_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    contained_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_due_on: Mapped[date | None] = mapped_column(sa.Date)
    check_criterion: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    process: Mapped[Process] = relationship(lazy="joined")
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id], lazy="joined")
    analyses: Mapped[list[RootCauseAnalysis]] = relationship(
        back_populates="nonconformity", order_by="RootCauseAnalysis.id"
    )
    actions: Mapped[list[CapaAction]] = relationship(
        back_populates="nonconformity", order_by="CapaAction.id"
    )
    checks: Mapped[list[EffectivenessCheck]] = relationship(
        back_populates="nonconformity", order_by="EffectivenessCheck.id"
    )
    notes: Mapped[list[NonconformityNote]] = relationship(order_by="NonconformityNote.id")

    def is_owned_by(self, user_id: int) -> bool:
        """The leader of its process answers for it (accepts, contains, analyses)."""
        return self.process is not None and self.process.leader_id == user_id

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        leads = sa.select(Process.id).where(Process.leader_id == user_id)
        return cls.process_id.in_(leads)

    def current_analysis(self) -> RootCauseAnalysis | None:
        found = [a for a in self.analyses if a.round == self.round]
        return found[-1] if found else None

    def current_actions(self) -> list[CapaAction]:
        return [a for a in self.actions if a.round == self.round]


class RootCauseAnalysis(Base):
    """Análisis de causa of one round: the decision, the method's data and the chosen causes."""

    __tablename__ = "root_cause_analyses"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(sa.ForeignKey("nonconformities.id"), index=True)
    round: Mapped[int] = mapped_column()
    action_needed: Mapped[bool] = mapped_column()
    justification: Mapped[str] = mapped_column(sa.Text, default="")
    method: Mapped[str] = mapped_column(sa.String(20), default="")
    # five_whys: {"whys": [..], "root_causes": [index..]};
    # ishikawa: {"causes": {category: [..]}, "root_causes": [[category, index]..]}
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    root_cause: Mapped[str] = mapped_column(sa.Text, default="")  # the causes, as text
    analysed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    analysed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="analyses")
    analysed_by: Mapped[User] = relationship(lazy="joined")


class CapaAction(Base):
    """Acción correctiva, preventiva o de mejora: owner, due date, deliverable, progress."""

    __tablename__ = "capa_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(sa.ForeignKey("nonconformities.id"), index=True)
    round: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(sa.String(20))
    description: Mapped[str] = mapped_column(sa.Text)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    deliverable: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=ActionStatus.PLANNED, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    evidence: Mapped[str] = mapped_column(sa.Text, default="")
    change_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("change_requests.id"))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="actions")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")

    def is_owned_by(self, user_id: int) -> bool:
        return self.owner_id == user_id

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        return cls.owner_id == user_id


class EffectivenessCheck(Base):
    """Verificación de eficacia: a quality lead's signed result, with evidence."""

    __tablename__ = "effectiveness_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(sa.ForeignKey("nonconformities.id"), index=True)
    round: Mapped[int] = mapped_column()
    result: Mapped[str] = mapped_column(sa.String(20))
    evidence: Mapped[str] = mapped_column(sa.Text)
    signed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    printed_name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    nonconformity: Mapped[Nonconformity] = relationship(back_populates="checks")


class NonconformityNote(Base):
    """A correction appended to a closed nonconformity, with its reason: never an edit."""

    __tablename__ = "nonconformity_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(sa.ForeignKey("nonconformities.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class NonconformityEvidence(AttachedFile, Base):
    """A file of evidence (photo, record, report) for a nonconformity or one of its actions."""

    __tablename__ = "nonconformity_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonconformity_id: Mapped[int] = mapped_column(sa.ForeignKey("nonconformities.id"), index=True)
    action_id: Mapped[int | None] = mapped_column(sa.ForeignKey("capa_actions.id"))
