"""The search index's upkeep, in one place for its callers (the hooks, the tick, the CLI and
the admin page): jobs drained (`qms.search.draining`), drift reconciled
(`qms.search.reconciling`), the index rebuilt and swapped (`qms.search.rebuilding`), under one
write lock (`qms.search.locks`), through the configured backend (`qms.search.backend_of`).
Here: the tick's part."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from qms.core import db as core_db
from qms.search import status
from qms.search.backend_of import WHOOSH_LOCK_WAIT_S, search_backend, search_index
from qms.search.draining import REQUEST_BUDGET_S, Drained, backoff, drain
from qms.search.locks import WRITE_LOCK, write_lock
from qms.search.models import SearchJob
from qms.search.rebuilding import RebuildProgress, rebuild_and_swap
from qms.search.reconciling import Drift, reconcile
from qms.search.status import JobCounts, failing_jobs, job_counts, last_reconcile, rebuild_progress

__all__ = [
    "KEEP_DONE",
    "REQUEST_BUDGET_S",
    "WHOOSH_LOCK_WAIT_S",
    "WRITE_LOCK",
    "Drained",
    "Drift",
    "JobCounts",
    "RebuildProgress",
    "backoff",
    "drain",
    "failing_jobs",
    "job_counts",
    "last_reconcile",
    "rebuild_and_swap",
    "rebuild_progress",
    "reconcile",
    "search_backend",
    "search_index",
    "tick",
    "write_lock",
]

# Done jobs are not quality records: they are kept a week for the admin page, then pruned.
KEEP_DONE = timedelta(days=7)


def tick(app: Flask) -> list[str]:
    """The tick's part: drain what is due (retries included), reconcile cheaply, prune."""
    lines: list[str] = []
    drained = drain(app)
    if drained.applied or drained.failed:
        lines.append(f"Search index: {drained.applied} job(s) applied, {drained.failed} failed.")
    drift = reconcile(app, full=False, blocking=False)
    if drift is not None and drift.total():
        lines.append(f"Search index drift: {drift.describe()}.")
    with status.factory(app)() as session:
        pruned = core_db.rowcount(
            session.execute(
                sa.delete(SearchJob).where(SearchJob.done_at < core_db.utcnow() - KEEP_DONE)
            )
        )
        session.commit()
    if pruned:
        lines.append(f"Search index: {pruned} done job(s) pruned.")
    return lines
