"""Index jobs applied, drift reconciled, the index rebuilt and swapped: how the index is never
behind the database for long, and never wrong for good.

A change writes a job row in its own transaction (`qms.search.hooks`); once it commits, the
process drains the pending jobs. Two rules keep the index right under concurrent writers and
killed processes:

- **One writer at a time, reading under the lock.** Draining takes the index write lock
  (`.write.lock`, an flock the kernel drops when a process dies) *without waiting*, and reads
  the database state of an entry only while holding it. Whatever is written last was read
  last, so it is the latest committed state: no stale overwrite, whatever order the commits
  and the drains come in.
- **No lost wake-up.** A drain that finds the lock taken returns at once (the user's request
  is never held up); the holder drains until nothing is due, releases, and looks again. A job
  committed before someone failed to take the lock is seen by that look.

A job that fails keeps its error and is retried later, with backoff, by the next drain or the
tick. A killed process leaves its jobs pending, for the next drain. On the first open of the
index and on every tick a cheap reconcile compares the keys the index holds with the ids in
the database; `qms search reconcile` also compares every entry's content digest.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from whoosh import index as whoosh_index
from whoosh.index import Index, LockError
from whoosh.writing import IndexWriter

from qms.core import db as core_db
from qms.search import generations
from qms.search.index import SCHEMA, entry_digest, rebuild, schema_is_current, write_entries
from qms.search.models import SearchJob
from qms.search.sources import BY_KIND, SOURCES, key_of, sources_for, split_key

log = logging.getLogger(__name__)

WRITE_LOCK = ".write.lock"
RECONCILE_FILE = "reconcile.json"
REBUILD_FILE = "rebuild.json"
BATCH = 500
# A request that committed drains for at most this long; what is left goes on a thread.
REQUEST_BUDGET_S = 2.0
# Done jobs are not quality records: they are kept a week for the admin page, then pruned.
KEEP_DONE = timedelta(days=7)
# A rebuild re-applies the jobs done since it began, less this much for the clocks of other
# hosts writing `done_at`: applying a job twice costs a little, missing one costs an entry.
CLOCK_MARGIN = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=1)
# Whoosh's own lock of a generation is free whenever ours is held; waiting a little covers a
# writer of an older release still running beside this one during an upgrade.
WHOOSH_LOCK_WAIT_S = 1.0

_IX = "qms_search_index"  # the open Index (tests pop it to force a reopen)
_IX_NAME = "qms_search_index_name"  # the generation it belongs to
_STARTED = "qms_search_started"  # the first-open reconcile has run in this process
_THREAD = "qms_search_drain_thread"
_held = threading.local()


def _root(app: Flask) -> Path:
    path: Path = app.extensions["qms_settings"].search_index_path
    return path


def _factory(app: Flask) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.extensions["qms_db"].session_factory
    return factory


# ---------------------------------------------------------------------------------------------
# The lock


def _depths() -> dict[str, int]:
    depths: dict[str, int] = _held.__dict__.setdefault("depths", {})
    return depths


def _holding(app: Flask) -> bool:
    """Whether this thread holds the index write lock."""
    return bool(_depths().get(str(_root(app))))


@contextmanager
def write_lock(app: Flask, *, blocking: bool) -> Iterator[bool]:
    """Hold the index write lock: yields False at once when another holds it and `blocking`
    is False. Re-entrant within a thread (a drain may open, and so reconcile, the index)."""
    root = _root(app)
    key = str(root)
    depths = _depths()
    if depths.get(key):
        depths[key] += 1
        try:
            yield True
        finally:
            depths[key] -= 1
        return
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / WRITE_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        depths[key] = 1
        try:
            yield True
        finally:
            depths.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Opening the index


def search_index(app: Flask) -> Index:
    """The app's index: the generation `current` names, reopened when a rebuild swaps it
    (one readlink per use), created or upgraded on first open."""
    root = _root(app)
    name = generations.current_name(root)
    ix: Index | None = app.extensions.get(_IX)
    if ix is not None and name is not None and app.extensions.get(_IX_NAME) == name:
        return ix
    ix, name = _open(app, root)
    app.extensions[_IX], app.extensions[_IX_NAME] = ix, name
    # A drain opening the index reconciles once its jobs are applied, so that entries merely
    # waiting for their job do not read as missing.
    if not app.extensions.get(_STARTED) and not _holding(app):
        _reconcile_on_start(app)
    return ix


def _reconcile_on_start(app: Flask) -> None:
    app.extensions[_STARTED] = True
    try:
        found = reconcile(app, full=False, blocking=False)
        if found is not None and found.total():
            log.warning("search index on start: %s", found.describe())
    except Exception:
        log.exception("search index reconcile on start failed")


def _open(app: Flask, root: Path) -> tuple[Index, str]:
    # Several worker processes open the index at once after a start or an upgrade: one
    # creates or rebuilds it while the others wait, then they all open the same one.
    with generations.open_lock(root):
        name = generations.current_name(root)
        if name is not None and whoosh_index.exists_in(str(root / name)):
            ix = whoosh_index.open_dir(str(root / name))
            if schema_is_current(ix):
                return ix, name
            upgrade = True  # written by an older release
        else:
            upgrade = generations.is_legacy(root)
        generation = generations.new_generation(root)
        if upgrade:
            # No process holds an index of an older schema open, so none writes to it while
            # this one is built: the database, read now, is the whole story.
            with _factory(app)() as session:
                count = rebuild(session, generation)
            log.warning("search index rebuilt for the current schema: %d entries", count)
        else:
            whoosh_index.create_in(str(generation), SCHEMA)
        previous = generations.current_name(root)
        generations.swap(root, generation)
        generations.prune(root)
        if previous is None:
            generations.remove_legacy_files(root)
        return whoosh_index.open_dir(str(generation)), generation.name


def _writer(ix: Index) -> IndexWriter:
    return ix.writer(timeout=WHOOSH_LOCK_WAIT_S)


# ---------------------------------------------------------------------------------------------
# Draining


@dataclass
class Drained:
    applied: int = 0  # jobs done
    failed: int = 0  # jobs that failed this time (retried later)
    busy: bool = False  # another holder had the lock (and will see what is pending)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(SearchJob.done_at.is_(None), SearchJob.next_attempt_at <= now)


def backoff(attempts: int) -> timedelta:
    """How long a job that failed `attempts` times waits: 10 s, 20 s, 40 s… at most an hour."""
    return min(timedelta(seconds=5 * 2 ** min(attempts, 20)), MAX_BACKOFF)


def drain(app: Flask, *, budget_s: float | None = None, retry: bool = False) -> Drained:
    """Apply the due jobs, unless another holds the lock (then it will).

    `budget_s` bounds the time spent here (a request's after-commit); what is left is drained
    on a thread. `retry` makes failed jobs due at once (the CLI, tests)."""
    result = Drained()
    deadline = None if budget_s is None else time.monotonic() + budget_s
    if retry:
        _retry_now(app)
    while True:
        handoff = False
        with write_lock(app, blocking=False) as held:
            if not held:
                result.busy = True
                return result
            while _drain_round(app, result):
                if deadline is not None and time.monotonic() > deadline:
                    handoff = True
                    break
            if not handoff and not app.extensions.get(_STARTED):
                _reconcile_on_start(app)
        # Released: anything committed by someone who found the lock taken is due now.
        if handoff:
            _drain_on_thread(app)
            return result
        if not _any_due(app):
            return result


def _retry_now(app: Flask) -> None:
    with _factory(app)() as session:
        now = core_db.utcnow()
        session.execute(
            sa.update(SearchJob)
            .where(SearchJob.done_at.is_(None), SearchJob.next_attempt_at > now)
            .values(next_attempt_at=now)
        )
        session.commit()


def _any_due(app: Flask) -> bool:
    with _factory(app)() as session:
        return bool(session.scalar(sa.select(sa.exists().where(_due(core_db.utcnow())))))


def _drain_on_thread(app: Flask) -> None:
    thread: threading.Thread | None = app.extensions.get(_THREAD)
    if thread is not None and thread.is_alive():
        return

    def run() -> None:
        try:
            drain(app)
        except Exception:
            log.exception("search index drain failed")

    thread = threading.Thread(target=run, name="qms-search-drain", daemon=True)
    app.extensions[_THREAD] = thread
    thread.start()


def _drain_round(app: Flask, result: Drained) -> bool:
    """Apply up to BATCH due jobs (the lock held); False when none was due."""
    with _factory(app)() as session:
        now = core_db.utcnow()
        rows = session.execute(
            sa.select(SearchJob.id, SearchJob.object_type, SearchJob.object_id, SearchJob.attempts)
            .where(_due(now))
            .order_by(SearchJob.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return False
        objects: dict[str, set[int]] = {}
        for row in rows:
            objects.setdefault(row.object_type, set()).add(row.object_id)
        try:
            errors = _apply(session, search_index(app), objects)
        except Exception as error:
            log.exception("search index update failed; the jobs stay pending")
            errors = {(row.object_type, row.object_id): _describe(error) for row in rows}
            session.rollback()
        done = [row.id for row in rows if (row.object_type, row.object_id) not in errors]
        if done:
            session.execute(sa.update(SearchJob).where(SearchJob.id.in_(done)).values(done_at=now))
        for row in rows:
            message = errors.get((row.object_type, row.object_id))
            if message is not None:
                session.execute(
                    sa.update(SearchJob)
                    .where(SearchJob.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        next_attempt_at=now + backoff(row.attempts + 1),
                        last_error=message,
                    )
                )
        session.commit()
        result.applied += len(done)
        result.failed += len(rows) - len(done)
        return True


def _apply(session: Session, ix: Index, objects: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """Write the entries these objects touch; returns the objects that failed, with why.

    All at once in one commit; when that fails, one object per commit, so that one bad record
    does not hold back the others. (One commit never writes an entry twice: Whoosh deletes
    the older copy only from committed segments, so a second update in the same commit would
    leave two.)"""
    try:
        _commit_touched(session, ix, objects)
        return {}
    except LockError:
        raise  # the index is busy, not any one object: one by one would only wait again
    except Exception:
        log.exception("search index: a batch failed; applying its jobs one by one")
        session.rollback()
    errors: dict[tuple[str, int], str] = {}
    for object_type, ids in objects.items():
        for object_id in sorted(ids):
            try:
                _commit_touched(session, ix, {object_type: {object_id}})
            except Exception as error:
                log.exception("search index: %s %s failed", object_type, object_id)
                errors[(object_type, object_id)] = _describe(error)
                session.rollback()
    return errors


def _commit_touched(session: Session, ix: Index, objects: dict[str, set[int]]) -> None:
    touched: dict[str, set[int]] = {}
    for object_type, ids in objects.items():
        for source in sources_for(object_type):
            touched.setdefault(source.kind, set()).update(source.touched(session, object_type, ids))
    _commit_entries(session, ix, touched)


def _commit_entries(session: Session, ix: Index, by_kind: dict[str, set[int]]) -> None:
    """Bring these entries in step with the database in one index commit."""
    if not any(by_kind.values()):
        return
    writer = _writer(ix)
    try:
        for kind, ids in by_kind.items():
            if ids:
                write_entries(session, writer, kind, ids)
        writer.commit()
    except BaseException:
        writer.cancel()
        raise


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


# ---------------------------------------------------------------------------------------------
# Reconciling


@dataclass
class Drift:
    """What a reconcile found: entry ids per kind."""

    missing: dict[str, set[int]] = field(default_factory=dict)
    stale: dict[str, set[int]] = field(default_factory=dict)
    extra: dict[str, set[int]] = field(default_factory=dict)
    full: bool = False
    repaired: bool = False

    def counts(self) -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            sum(len(ids) for ids in found.values())
            for found in (self.missing, self.stale, self.extra)
        )

    def total(self) -> int:
        return sum(self.counts())

    def describe(self) -> str:
        missing, stale, extra = self.counts()
        checked = f"{missing} missing, {stale} stale, {extra} extra"
        if not self.full:
            checked = f"{missing} missing, {extra} extra"
        if not self.total():
            return f"{checked}: in step"
        return f"{checked}: {'repaired' if self.repaired else 'not repaired'}"


def reconcile(app: Flask, *, full: bool, blocking: bool, repair: bool = True) -> Drift | None:
    """Compare the index with the database, and repair: missing entries are indexed, extra
    ones removed and (`full`) stale ones rewritten. None when the lock was busy and
    `blocking` is False (the holder is writing; the next tick looks again)."""
    with write_lock(app, blocking=blocking) as held:
        if not held:
            return None
        app.extensions[_STARTED] = True
        # Pending jobs first: an entry waiting for its job is not drift.
        while _drain_round(app, Drained()):
            pass
        ix = search_index(app)
        with _factory(app)() as session:
            drift = _compare(session, ix, full)
            if repair and drift.total():
                writer = _writer(ix)
                try:
                    for kind, ids in drift.extra.items():
                        if kind not in BY_KIND:  # a kind an older release indexed
                            for object_id in ids:
                                writer.delete_by_term("key", key_of(kind, object_id))
                    writer.commit()
                except BaseException:
                    writer.cancel()
                    raise
                repairs: dict[str, set[int]] = {}
                for found in (drift.missing, drift.stale, drift.extra):
                    for kind, ids in found.items():
                        if kind in BY_KIND:
                            repairs.setdefault(kind, set()).update(ids)
                _commit_entries(session, ix, repairs)
                drift.repaired = True
    _save(_root(app) / RECONCILE_FILE, {"at": core_db.utcnow().isoformat(), **_as_json(drift)})
    return drift


def _indexed(ix: Index, with_digest: bool) -> dict[str, dict[int, str | None]]:
    """kind → {id: stored digest (None when not read)} of the live entries."""
    found: dict[str, dict[int, str | None]] = {}
    with ix.searcher() as searcher:
        if with_digest:
            for fields in searcher.all_stored_fields():
                kind, object_id = split_key(fields["key"])
                found.setdefault(kind, {})[object_id] = fields.get("digest") or ""
            return found
        # Only the key terms: no stored fields read. A segment's lexicon still lists the keys of
        # its deleted entries (updated or removed) until it is merged, so those are checked.
        for reader, _offset in searcher.reader().leaf_readers():
            deleted = reader.has_deletions()
            for term in reader.lexicon("key"):
                key = term.decode("utf-8") if isinstance(term, bytes) else term
                if deleted and not reader.postings("key", key).is_active():
                    continue
                kind, object_id = split_key(key)
                found.setdefault(kind, {})[object_id] = None
    return found


def _compare(session: Session, ix: Index, full: bool) -> Drift:
    drift = Drift(full=full)
    indexed = _indexed(ix, full)
    for source in SOURCES:
        have = indexed.pop(source.kind, {})
        ids = set(session.scalars(source.ids()))
        drift.missing[source.kind] = ids - have.keys()
        drift.extra[source.kind] = have.keys() - ids
        if full:
            both = sorted(ids & have.keys())
            stale: set[int] = set()
            for start in range(0, len(both), BATCH):
                batch = both[start : start + BATCH]
                for object_id, fields in source.entries(session, batch).items():
                    if entry_digest(fields) != have.get(object_id):
                        stale.add(object_id)
            drift.stale[source.kind] = stale
    for kind, have in indexed.items():  # kinds no source declares any more
        drift.extra[kind] = set(have)
    for found in (drift.missing, drift.stale, drift.extra):
        for kind in [kind for kind, ids in found.items() if not ids]:
            del found[kind]
    return drift


def _as_json(drift: Drift) -> dict[str, Any]:
    missing, stale, extra = drift.counts()
    return {
        "missing": missing,
        "stale": stale,
        "extra": extra,
        "full": drift.full,
        "repaired": drift.repaired,
        "summary": drift.describe(),
    }


# ---------------------------------------------------------------------------------------------
# Rebuilding


@dataclass
class RebuildProgress:
    state: str  # running, done, failed
    started_at: str
    done: int = 0
    total: int = 0
    finished_at: str = ""
    error: str = ""
    pid: int = field(default_factory=os.getpid)


def rebuild_and_swap(app: Flask, progress: Callable[[int, int], None] | None = None) -> int:
    """Build a new generation from the database beside the one in use, bring it up to date
    with what was committed meanwhile, and swap it in; returns how many entries it holds.
    Searches keep reading the old generation until the swap, and the new one after it."""
    root = _root(app)
    started = core_db.utcnow()
    status = RebuildProgress(state="running", started_at=started.isoformat())
    path = root / REBUILD_FILE
    _save(path, asdict(status))
    last_saved = [0.0]

    def advance(done: int, total: int) -> None:
        status.done, status.total = done, total
        if progress is not None:
            progress(done, total)
        if time.monotonic() - last_saved[0] > 0.5 or done == total:
            last_saved[0] = time.monotonic()
            _save(path, asdict(status))

    try:
        generation = generations.new_generation(root)
        with _factory(app)() as session:
            count = rebuild(session, generation, advance)
        with write_lock(app, blocking=True):
            _catch_up(app, generation, started - CLOCK_MARGIN)
            previous = generations.current_name(root)
            generations.swap(root, generation)
        generations.prune(root, keep=previous)
    except BaseException as error:
        status.state, status.error = "failed", _describe(error)
        status.finished_at = core_db.utcnow().isoformat()
        _save(path, asdict(status))
        raise
    status.state, status.finished_at = "done", core_db.utcnow().isoformat()
    _save(path, asdict(status))
    drain(app)  # pending jobs, now into the new generation
    return count


def _catch_up(app: Flask, generation: Path, since: datetime) -> None:
    """Re-apply, to the generation about to be swapped in, every job done since the rebuild
    began: the rebuild may have read those entries before their change committed. Jobs still
    pending are drained after the swap, as ever. Drains are held off (the lock is held), so
    none finishes between this and the swap."""
    ix = whoosh_index.open_dir(str(generation))
    with _factory(app)() as session:
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
        errors = _apply(session, ix, objects)
    if errors:
        # Those stay out of date in the new generation until the next full reconcile: say so.
        log.warning("search rebuild: %d changes could not be re-applied", len(errors))


# ---------------------------------------------------------------------------------------------
# The tick and the admin page


def tick(app: Flask) -> list[str]:
    """The tick's part: drain what is due (retries included), reconcile cheaply, prune."""
    lines: list[str] = []
    drained = drain(app)
    if drained.applied or drained.failed:
        lines.append(f"Search index: {drained.applied} job(s) applied, {drained.failed} failed.")
    drift = reconcile(app, full=False, blocking=False)
    if drift is not None and drift.total():
        lines.append(f"Search index drift: {drift.describe()}.")
    with _factory(app)() as session:
        pruned = core_db.rowcount(
            session.execute(
                sa.delete(SearchJob).where(SearchJob.done_at < core_db.utcnow() - KEEP_DONE)
            )
        )
        session.commit()
    if pruned:
        lines.append(f"Search index: {pruned} done job(s) pruned.")
    return lines


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
    return _load(_root(app) / RECONCILE_FILE)


def rebuild_progress(app: Flask) -> dict[str, Any] | None:
    return _load(_root(app) / REBUILD_FILE)


def _save(path: Path, values: dict[str, Any]) -> None:
    # Readers (the admin page, other processes) see the old file or the new, never half.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    tmp.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _load(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None
