"""What the search admin page shows and the search jobs share: where the index's files are,
the job counts, and the last reconcile and rebuild as small JSON files beside the index."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from qms.search.models import SearchJob

RECONCILE_FILE = "reconcile.json"
REBUILD_FILE = "rebuild.json"


def root(app: Flask) -> Path:
    """The index folder: Whoosh's generations, the lock and status files."""
    path: Path = app.extensions["qms_settings"].search_index_path
    return path


def factory(app: Flask) -> sessionmaker[Session]:
    made: sessionmaker[Session] = app.extensions["qms_db"].session_factory
    return made


def backend_name(app: Flask) -> str:
    """`whoosh` or `postgres` (QMS_SEARCH_BACKEND)."""
    return str(app.extensions["qms_settings"].search_backend)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


@dataclass(frozen=True)
class JobCounts:
    pending: int
    failing: int  # pending after at least one failure
    done: int


def job_counts(session: Session) -> JobCounts:
    pending, failing, done = session.execute(
        sa.select(
            sa.func.count().filter(SearchJob.done_at.is_(None)),
            sa.func.count().filter(SearchJob.done_at.is_(None), SearchJob.attempts > 0),
            sa.func.count().filter(SearchJob.done_at.is_not(None)),
        )
    ).one()
    return JobCounts(int(pending), int(failing), int(done))


def failing_jobs(session: Session, limit: int = 20) -> list[SearchJob]:
    return list(
        session.scalars(
            sa.select(SearchJob)
            .where(SearchJob.done_at.is_(None), SearchJob.attempts > 0)
            .order_by(SearchJob.id.desc())
            .limit(limit)
        )
    )


def last_reconcile(app: Flask) -> dict[str, Any] | None:
    return load(root(app) / RECONCILE_FILE)


def rebuild_progress(app: Flask) -> dict[str, Any] | None:
    return load(root(app) / REBUILD_FILE)


def save(path: Path, values: dict[str, Any]) -> None:
    # Readers (the admin page, other processes) see the old file or the new, never half.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def load(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
