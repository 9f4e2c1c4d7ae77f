"""Index jobs: the durable to-do list that keeps the search index in step with the database.

A job is written in the same transaction as the change it announces, so a committed change
always leaves one behind, even if the process dies before the index is written; a rolled-back
change leaves none. Jobs are not quality records: done ones are pruned after a while.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base, UTCDateTime


class SearchJob(Base):
    __tablename__ = "search_jobs"
    # The drain's question ("due and not done, oldest first") and the prune's ("done before").
    __table_args__ = (sa.Index("ix_search_jobs_pending", "done_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))  # as the trail event names it
    object_id: Mapped[int] = mapped_column(sa.Integer)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
