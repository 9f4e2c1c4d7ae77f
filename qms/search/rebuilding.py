"""The index rebuilt from the database while searches go on, and swapped in at once.

Whoosh: a new generation is built beside the one in use (drains keep writing that one), then,
under the write lock, brought up to date with the jobs done meanwhile and swapped in by one
rename (`qms.search.generations`). PostgreSQL: under the write lock (drains wait: their jobs
stay pending, and are applied once it is released), every row is deleted and every entry
inserted in one transaction; searches read the old rows until it commits, the new ones after.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from whoosh import index as whoosh_index

from qms.core import db as core_db
from qms.search import generations, status
from qms.search.backend_of import search_backend, whoosh_backend
from qms.search.backends.postgres import PostgresBackend
from qms.search.draining import BATCH, apply, drain
from qms.search.index import rebuild
from qms.search.locks import write_lock
from qms.search.models import SearchJob
from qms.search.sources import SOURCES

log = logging.getLogger(__name__)

# A Whoosh rebuild re-applies the jobs done since it began, less this much for the clocks of
# other hosts writing `done_at`: applying a job twice costs a little, missing one costs an entry.
CLOCK_MARGIN = timedelta(minutes=5)

Progress = Callable[[int, int], None]


@dataclass
class RebuildProgress:
    state: str  # running, done, failed
    started_at: str
    done: int = 0
    total: int = 0
    finished_at: str = ""
    error: str = ""
    pid: int = field(default_factory=os.getpid)


def rebuild_and_swap(app: Flask, progress: Progress | None = None) -> int:
    """Build the index anew from the database and swap it in (see the module); returns how
    many entries it holds. `progress` is called with (done, total) as the work advances."""
    started = core_db.utcnow()
    current = RebuildProgress(state="running", started_at=started.isoformat())
    path = status.root(app) / status.REBUILD_FILE
    status.save(path, asdict(current))
    last_saved = [0.0]

    def advance(done: int, total: int) -> None:
        current.done, current.total = done, total
        if progress is not None:
            progress(done, total)
        if time.monotonic() - last_saved[0] > 0.5 or done == total:
            last_saved[0] = time.monotonic()
            status.save(path, asdict(current))

    try:
        if status.backend_name(app) == "postgres":
            count = _rebuild_table(app, advance)
        else:
            count = _rebuild_generation(app, started, advance)
    except BaseException as error:
        current.state, current.error = "failed", status.describe(error)
        current.finished_at = core_db.utcnow().isoformat()
        status.save(path, asdict(current))
        raise
    current.state, current.finished_at = "done", core_db.utcnow().isoformat()
    status.save(path, asdict(current))
    drain(app)  # pending jobs, now into the new index
    return count


def _rebuild_generation(app: Flask, started: datetime, advance: Progress) -> int:
    root = status.root(app)
    generation = generations.new_generation(root)
    with status.factory(app)() as session:
        count = rebuild(session, generation, advance)
    with write_lock(app, blocking=True):
        _catch_up(app, generation, started - CLOCK_MARGIN)
        previous = generations.current_name(root)
        generations.swap(root, generation)
    generations.prune(root, keep=previous)
    return count


def _catch_up(app: Flask, generation: Path, since: datetime) -> None:
    """Re-apply, to the generation about to be swapped in, every job done since the rebuild
    began: the rebuild may have read those entries before their change committed. Jobs still
    pending are drained after the swap, as ever. Drains are held off (the lock is held), so
    none finishes between this and the swap."""
    backend = whoosh_backend(whoosh_index.open_dir(str(generation)))
    with status.factory(app)() as session:
        rows = session.execute(
            sa.select(SearchJob.object_type, SearchJob.object_id)
            .where(SearchJob.done_at >= since)
            .distinct()
        ).all()
        objects: dict[str, set[int]] = {}
        for row in rows:
            objects.setdefault(row.object_type, set()).add(row.object_id)
        if not objects:
            return
        errors = apply(session, backend, objects)
    if errors:
        # Those stay out of date in the new generation until the next full reconcile: say so.
        log.warning("search rebuild: %d changes could not be re-applied", len(errors))


def _rebuild_table(app: Flask, advance: Progress) -> int:
    """Every row replaced in one transaction, the lock held throughout: a change committed
    meanwhile keeps its job pending, drained after the commit, reading the database then."""
    backend = search_backend(app)
    assert isinstance(backend, PostgresBackend)
    with write_lock(app, blocking=True), status.factory(app)() as session:
        work = [(source, list(session.scalars(source.ids()))) for source in SOURCES]
        total = sum(len(ids) for _, ids in work)
        advance(0, total)

        def batches() -> Iterator[list[dict[str, Any]]]:
            done = 0
            for source, ids in work:
                for start in range(0, len(ids), BATCH):
                    batch = ids[start : start + BATCH]
                    yield [dict(fields) for fields in source.entries(session, batch).values()]
                    done += len(batch)
                    advance(done, total)

        backend.replace_all(batches())
    return total
