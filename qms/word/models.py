"""A bulk import from the page: its progress and its per-file report, kept in the database so
that the page can follow a batch a worker thread is running, and tell one a dead process left
behind (its heartbeat stops)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base, UTCDateTime, utcnow


class BatchState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    INTERRUPTED = "interrupted"  # the process died mid-way: the files reported are all it did


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(sa.String(20), default=BatchState.RUNNING, index=True)
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    done: Mapped[int] = mapped_column(sa.Integer, default=0)  # files handled, failed included
    failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    # One row per file handled, as `qms import --json` reports it.
    report: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
