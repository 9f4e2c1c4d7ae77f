"""A search someone saved to run again: what was typed and the switches, under a name."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base, UTCDateTime, utcnow


class SavedSearch(Base):
    __tablename__ = "saved_searches"
    __table_args__ = (
        # One live search per name and person; a removed one frees its name.
        sa.Index(
            "uq_saved_searches_owner_name",
            "owner_id",
            "name",
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    query: Mapped[str] = mapped_column(sa.String(200))
    any_word: Mapped[bool] = mapped_column(default=False)
    history: Mapped[bool] = mapped_column(default=False)
    on_day: Mapped[date | None] = mapped_column(sa.Date())
    sort: Mapped[str] = mapped_column(sa.String(20), default="relevance")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
