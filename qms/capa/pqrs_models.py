"""PQRS: peticiones, quejas, reclamos y sugerencias from customers, with their legal terms.

A request is received, routed to the process that answers it, answered (with the customer's
satisfaction when it is verified) and closed. A complaint or claim can raise a nonconformity;
the link is kept on the request and read from either side.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.capa.models import Nonconformity
from qms.core.db import Base, UTCDateTime, utcnow
from qms.processes.models import Process
from qms.users.models import User


class PqrsState(StrEnum):
    RECEIVED = "received"
    ROUTED = "routed"
    ANSWERED = "answered"
    CLOSED = "closed"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"
    CHAT = "chat"
    MAILBOX = "mailbox"  # buzón de sugerencias
    SOCIAL = "social"
    OFFICIAL = "official"  # notificaciones oficiales (p. ej. la Superintendencia)


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    NOT_SATISFIED = "not_satisfied"
    NOT_CONTACTED = "not_contacted"
    NOT_VERIFIED = "not_verified"


class PqrsRequest(Base):
    __tablename__ = "pqrs_requests"
    __table_args__ = (sa.UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(sa.String(20), default=PqrsState.RECEIVED, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    channel: Mapped[str] = mapped_column(sa.String(20))
    customer_name: Mapped[str] = mapped_column(sa.String(200))
    customer_contact: Mapped[str] = mapped_column(sa.String(200), default="")
    text: Mapped[str] = mapped_column(sa.Text)
    received_on: Mapped[date] = mapped_column(sa.Date)
    due_on: Mapped[date] = mapped_column(sa.Date, index=True)
    extended_due_on: Mapped[date | None] = mapped_column(sa.Date)
    extension_notified_on: Mapped[date | None] = mapped_column(sa.Date)
    extension_reason: Mapped[str] = mapped_column(sa.Text, default="")
    registered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    process_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id"), index=True)
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_on: Mapped[date | None] = mapped_column(sa.Date)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    satisfaction: Mapped[str] = mapped_column(sa.String(20), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    nonconformity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nonconformities.id"), unique=True
    )

    process: Mapped[Process | None] = relationship(lazy="joined")
    nonconformity: Mapped[Nonconformity | None] = relationship(backref="pqrs")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="selectin")

    @property
    def term_due_on(self) -> date:
        """The date the answer is due: the extended one when the term was extended."""
        return self.extended_due_on or self.due_on

    def is_owned_by(self, user_id: int) -> bool:
        """The leader of the process it was routed to answers it."""
        return self.process is not None and self.process.leader_id == user_id

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        return cls.process_id.in_(sa.select(Process.id).where(Process.leader_id == user_id))
