"""Processes of the quality management system."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.core.db import Base, UTCDateTime, utcnow
from qms.users.models import User


class ProcessType(StrEnum):
    STRATEGIC = "strategic"
    CORE = "core"
    SUPPORT = "support"
    EVALUATION = "evaluation"


process_members = sa.Table(
    "process_members",
    Base.metadata,
    sa.Column("process_id", sa.ForeignKey("processes.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class Process(Base):
    __tablename__ = "processes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    type: Mapped[str] = mapped_column(sa.String(20))
    objective: Mapped[str] = mapped_column(sa.Text, default="")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("processes.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Process | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Process]] = relationship(back_populates="parent")
    leader: Mapped[User | None] = relationship()
    members: Mapped[list[User]] = relationship(secondary=process_members, lazy="selectin")

    def is_owned_by(self, user_id: int) -> bool:
        return self.leader_id == user_id

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]:
        return cls.leader_id == user_id

    def __repr__(self) -> str:
        return f"<Process {self.code}>"
