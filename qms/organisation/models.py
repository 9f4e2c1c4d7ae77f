"""The organisation's identity, one row: what heads the pages, the prints and the reports."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base, UTCDateTime
from qms.organisation.layout import DEFAULT_PAPER

SINGLE_ROW_ID = 1


class Organisation(Base):
    """Empty values fall back to the configuration (QMS_TIMEZONE, QMS_ORGANISATION_NAME)."""

    __tablename__ = "organisation"
    __table_args__ = (sa.CheckConstraint(f"id = {SINGLE_ROW_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    # Colombian tax id as written on invoices, "900.123.456-7"; "" when not given.
    nit: Mapped[str] = mapped_column(sa.String(20), default="")
    logo_sha256: Mapped[str | None] = mapped_column(sa.ForeignKey("blobs.sha256"))
    logo_media_type: Mapped[str] = mapped_column(sa.String(40), default="")
    paper: Mapped[str] = mapped_column(sa.String(10), default=DEFAULT_PAPER)
    # An IANA zone name ("America/Bogota"); "" means QMS_TIMEZONE.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
