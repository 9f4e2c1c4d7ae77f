"""A notification is one message to one user about one due item, created at most once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    # The key names the item and the occasion (e.g. "action-overdue:12:2026-11-20"): a second
    # `qms tick` finds the row already there, so nothing is ever sent twice.
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(120))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    url: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Claimed (set) just before the mail is handed to the server: at most once, even with two
    # workers ticking at the same time.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class NotificationSetting(Base):
    """A user's choice: one mail per item (default) or one daily digest."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    daily_digest: Mapped[bool] = mapped_column(default=False)
    digest_sent_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
