"""Documents and their versions, attachments, signatures, reviews and change requests."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.blobs.models import AttachedFile
from qms.core.db import Base, UTCDateTime, utcnow
from qms.processes.models import Process, process_members
from qms.users.models import User


class VersionState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    IN_APPROVAL = "in_approval"
    APPROVED = "approved"
    EFFECTIVE = "effective"
    SUPERSEDED = "superseded"
    OBSOLETE = "obsolete"
    DISCARDED = "discarded"


# Versions still on their way to taking effect: a document has at most one of these.
OPEN_STATES = (
    VersionState.DRAFT,
    VersionState.IN_REVIEW,
    VersionState.IN_APPROVAL,
    VersionState.APPROVED,
)


class SignatureMeaning(StrEnum):
    AUTHORED = "authored"  # elaboró
    REVIEWED = "reviewed"  # revisó
    APPROVED = "approved"  # aprobó
    REJECTED = "rejected"  # rechazó
    WITHDRAWN = "withdrawn"  # retiró
    PERIODIC_REVIEW = "periodic_review"  # revisado sin cambios


class Origin(StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"


class DocumentType(Base):
    """A kind of document, configured by quality leads: code pattern, blocks, approval route."""

    __tablename__ = "document_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    abbreviation: Mapped[str] = mapped_column(sa.String(10))
    code_pattern: Mapped[str] = mapped_column(sa.String(100))
    default_blocks: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    review_interval_months: Mapped[int] = mapped_column(default=24)
    # {"review": {"roles": [...], "users": [...], "count": 1, "sequential": false},
    #  "approval": {...}}: who signs each stage and how many signatures close it.
    route: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    is_external: Mapped[bool] = mapped_column(default=False)
    # Segregation of duties: whoever reviews a version does not also approve it (the author
    # never signs either). A small organisation may relax it for a type.
    distinct_signers: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    active: Mapped[bool] = mapped_column(default=True)
    # How its documents print: "portrait", or "landscape" for wide tables (a control plan).
    orientation: Mapped[str] = mapped_column(
        sa.String(10), default="portrait", server_default="portrait"
    )


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique forever, also after withdrawal; correctable until the first approval.
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("document_types.id"), index=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id"), index=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    origin: Mapped[str] = mapped_column(sa.String(10), default=Origin.INTERNAL)
    review_interval_months: Mapped[int] = mapped_column(default=24)
    retention_years: Mapped[int] = mapped_column(default=5)
    # Documents of external origin: where they come from and when to check for a new edition.
    external_source: Mapped[str] = mapped_column(sa.String(300), default="")
    external_edition: Mapped[str] = mapped_column(sa.String(100), default="")
    next_verification_on: Mapped[date | None] = mapped_column(sa.Date)
    code_locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    type: Mapped[DocumentType] = relationship(lazy="joined")
    process: Mapped[Process] = relationship(lazy="joined")
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number"
    )

    def is_owned_by(self, user_id: int) -> bool:
        """The owner, or the leader or a member of the document's process."""
        process = self.process
        return (
            self.owner_id == user_id
            or process.leader_id == user_id
            or any(member.id == user_id for member in process.members)
        )

    def is_in_process(self, user_id: int) -> bool:
        """The leader or a member of the document's process (whom a process-scoped role of a
        route names)."""
        process = self.process
        return process.leader_id == user_id or any(m.id == user_id for m in process.members)

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        led = sa.select(Process.id).where(Process.leader_id == user_id)
        joined = sa.select(process_members.c.process_id).where(process_members.c.user_id == user_id)
        return sa.or_(cls.owner_id == user_id, cls.process_id.in_(led), cls.process_id.in_(joined))


class DocumentVersion(Base):
    """One version's content and state; content never changes once submitted (db-enforced)."""

    __tablename__ = "document_versions"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "number"),
        # At most one open version and one effective version per document, whatever races.
        sa.Index(
            "uq_document_versions_one_open",
            "document_id",
            unique=True,
            sqlite_where=sa.text("state IN ('draft','in_review','in_approval','approved')"),
            postgresql_where=sa.text("state IN ('draft','in_review','in_approval','approved')"),
        ),
        sa.Index(
            "uq_document_versions_one_effective",
            "document_id",
            unique=True,
            sqlite_where=sa.text("state = 'effective'"),
            postgresql_where=sa.text("state = 'effective'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(sa.String(20), default=VersionState.DRAFT, index=True)
    change_summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Ordered content blocks: [{"kind": "text", "text": "..."}, {"kind": "table", ...}].
    content: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    content_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # Incremented at each submission: signatures of an earlier, rejected round stay as they were.
    round: Mapped[int] = mapped_column(default=0)
    # The type's approval route as it was at submission: editing a type mid-way does not
    # change the rules for versions already being signed.
    route: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    effective_from: Mapped[date | None] = mapped_column(sa.Date)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    change_request_id: Mapped[int | None] = mapped_column(sa.ForeignKey("change_requests.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    obsolete_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Brought in from a Word file (`qms.word.importing`), by a quality lead: its state and
    # dates are the paper's, and the names that signed it on paper are kept here, never as
    # e-signatures: [{"meaning": "approved", "name": …, "job_title": …, "on": "2025-08-31"}].
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_signers: Mapped[list[dict[str, Any]]] = mapped_column(
        sa.JSON, default=list, server_default="[]"
    )
    # Prints in this orientation instead of its type's (None: the type's); set on a draft,
    # frozen with the content.
    orientation: Mapped[str | None] = mapped_column(sa.String(10))

    document: Mapped[Document] = relationship(back_populates="versions", lazy="joined")
    author: Mapped[User] = relationship(lazy="joined")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="version", order_by="Attachment.id"
    )
    signatures: Mapped[list[Signature]] = relationship(
        back_populates="version", order_by="Signature.id"
    )

    def is_owned_by(self, user_id: int) -> bool:
        return self.document.is_owned_by(user_id)

    def is_in_process(self, user_id: int) -> bool:
        return self.document.is_in_process(user_id)

    def route_stage(self, stage: str) -> dict[str, Any]:
        """{"roles", "users", "count", "sequential"} for "review" or "approval"."""
        route = self.route or self.document.type.route or {}
        return route.get(stage) or {}

    @property
    def distinct_signers(self) -> bool:
        """Whether the reviewer of a round may not approve it: the type's setting as it was at
        submission (kept with the route), or as it is now for versions submitted before."""
        route = self.route or {}
        if "distinct_signers" in route:
            return bool(route["distinct_signers"])
        return bool(self.document.type.distinct_signers)


class Attachment(AttachedFile, Base):
    """A file attached to a version; the bytes live in the blob store under their SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"), index=True)

    version: Mapped[DocumentVersion] = relationship(back_populates="attachments")


class Signature(Base):
    """An electronic signature: who (as printed then), what it means, when, over which hash."""

    __tablename__ = "signatures"
    __table_args__ = (
        # One review or approval signature per person per round, even under a race.
        sa.Index(
            "uq_signatures_once_per_stage",
            "version_id",
            "round",
            "user_id",
            "meaning",
            unique=True,
            sqlite_where=sa.text("meaning IN ('reviewed','approved')"),
            postgresql_where=sa.text("meaning IN ('reviewed','approved')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    printed_name: Mapped[str] = mapped_column(sa.String(200))
    job_title: Mapped[str] = mapped_column(sa.String(200))
    meaning: Mapped[str] = mapped_column(sa.String(20))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    round: Mapped[int] = mapped_column(default=0)

    version: Mapped[DocumentVersion] = relationship(back_populates="signatures")
    user: Mapped[User] = relationship()


class ChangeRequestKind(StrEnum):
    CREATE = "create"
    MODIFY = "modify"
    WITHDRAW = "withdraw"


class ChangeRequestState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ChangeRequest(Base):
    """Solicitud de creación / modificación / eliminación de un documento."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    state: Mapped[str] = mapped_column(sa.String(10), default=ChangeRequestState.OPEN, index=True)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    # For a creation request: what the new document should be.
    proposed_title: Mapped[str] = mapped_column(sa.String(300), default="")
    proposed_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_types.id"))
    proposed_process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id"))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")

    document: Mapped[Document | None] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
