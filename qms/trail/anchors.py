"""Anchors: the chain head written down outside the database, so that a rewind shows.

The hash chain proves that no event before the head was altered, removed or reordered; it
cannot prove that the head is where it was. Whoever can write to the database could delete the
newest events and set `trail_head` back to the last event kept, and the shorter chain would
verify. The database refuses that (migration `trail_append_only`), but the owner of the schema
can drop triggers. An anchor says "the chain had reached event #N, whose hash is H", and is
kept where a database edit cannot reach it: in the blob store's folder, under
`<QMS_STORE_PATH>/trail-anchors/`.

How they are kept
- One small JSON file per anchor, `<local day>_<seq, 12 digits>.json` (e.g.
  `2026-12-07_000000000042.json`): seq, hash, UTC time, local day, time zone, and why it was
  taken (`daily`, `manual`, `backup`).
- Written once: a temporary file in the folder, fsynced, hard-linked into place (a link never
  replaces a name, so an anchor is never rewritten), made read-only, the folder fsynced. A
  reader sees a whole anchor or none; temporary names (`.…tmp`) are ignored.
- A folder of their own, not content-addressed blobs: a blob's address would not say which
  event it anchors, and the blob store lists only its two-character folders, so anchors are
  neither blobs nor "unreferenced" files to `qms fsck`.
- Verification needs only the files: `read_anchors()` lists the folder. No database row points
  to them (a row could be deleted along with the events).

When they are written
- Daily: after the commit of the first transaction of each local day (QMS_TIMEZONE) that wrote
  a trail event. `record()` asks for it (`schedule()`); the session's outbox
  (`qms.core.outbox`) writes it after the commit, reading the head afresh, so an anchor only
  ever names committed events and a rolled-back transaction writes none. A failure is logged,
  never raised: the user's change is committed by then, and the next day's first event (or
  `qms trail anchor`) tries again.
- On demand: `qms trail anchor` (e.g. hourly from cron, to narrow the window below).
- With every backup: `qms trail anchor --reason backup` right before copying the database (a
  backup script's hook; `anchor_head()` from Python). That anchor matches the backup exactly.

What they prove
- `verify_chain(session, anchors=read_anchors(folder).anchors)` reports the chain truncated when
  the database ends before an anchored event, and rewritten when the event at an anchored seq
  has another hash. Read the anchors before the chain: each names an event committed before the
  head is read, so a writer committing meanwhile never looks like a truncation.
- Events written after the newest anchor are guarded by the triggers alone until the next
  anchor is taken.
- Restoring an older backup makes verify report the events lost since; that is the truth. To
  accept the loss, move the newer anchors out of the folder (and keep them: they document it).
- Whoever can write to the store can remove anchors: keep the store where the database's
  administrators cannot write, or copy the folder elsewhere too (the files are tiny).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.outbox import after_commit
from qms.core.trail_actions import TrailAction
from qms.trail.models import HEAD_ID, TrailHead

FOLDER = "trail-anchors"
REASONS = ("daily", "manual", "backup")
ANCHOR = TrailAction.TRAIL_ANCHOR
EXTENSION = "qms_trail_anchors"
_NAME = re.compile(r"^(?P<day>\d{4}-\d{2}-\d{2})_(?P<seq>\d{12})\.json$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    """The chain had reached event #`seq`, whose hash is `hash`, at `anchored_at`."""

    seq: int
    hash: str
    local_date: date
    anchored_at: datetime
    reason: str
    name: str


@dataclass(frozen=True)
class AnchorReading:
    anchors: list[Anchor] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)


def folder_of(app: Flask) -> Path:
    """The app's anchor folder, inside its blob store folder."""
    return Path(app.extensions["qms_settings"].store_path) / FOLDER


def write_anchor(
    folder: Path, seq: int, hash_: str, *, timezone: str, reason: str, now: datetime | None = None
) -> Anchor:
    """Write one anchor file, once; an anchor of the same day and seq already there is kept."""
    if reason not in REASONS:
        raise ValueError(f"unknown anchor reason {reason!r}")
    if seq < 1 or not _HEX64.match(hash_):
        raise ValueError("an anchor names an event: seq ≥ 1 and its SHA-256 hash")
    at = now or utcnow()
    day = at.astimezone(ZoneInfo(timezone)).date()
    name = f"{day.isoformat()}_{seq:012d}.json"
    body = {
        "seq": seq,
        "hash": hash_,
        "local_date": day.isoformat(),
        "timezone": timezone,
        "anchored_at": at.isoformat(timespec="microseconds"),
        "reason": reason,
    }
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".anchor-", suffix=".tmp")
    final = folder / name
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle, sort_keys=True, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp_name, final)  # refuses an existing name: an anchor is never rewritten
        except FileExistsError:
            return _read(final)
        os.chmod(final, 0o444)
        _fsync_dir(folder)
    finally:
        os.unlink(tmp_name)
    return _read(final)


def read_anchors(folder: Path) -> AnchorReading:
    """Every anchor in the folder, oldest name first, and the files that cannot be read."""
    reading = AnchorReading()
    if not folder.is_dir():
        return reading
    for path in sorted(folder.iterdir()):
        if not _NAME.match(path.name):
            continue
        try:
            reading.anchors.append(_read(path))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            reading.unreadable.append((path.name, str(exc) or type(exc).__name__))
    return reading


def _read(path: Path) -> Anchor:
    match = _NAME.match(path.name)
    if match is None:
        raise ValueError("not an anchor file name")
    body = json.loads(path.read_text(encoding="utf-8"))
    anchor = Anchor(
        seq=int(body["seq"]),
        hash=str(body["hash"]),
        local_date=date.fromisoformat(body["local_date"]),
        anchored_at=datetime.fromisoformat(body["anchored_at"]),
        reason=str(body["reason"]),
        name=path.name,
    )
    if not _HEX64.match(anchor.hash) or anchor.seq < 1:
        raise ValueError("not a seq and SHA-256 hash")
    if (anchor.local_date.isoformat(), anchor.seq) != (match["day"], int(match["seq"])):
        raise ValueError("its name and its content disagree")
    return anchor


def _read_head(bind: Session | Connection) -> tuple[int, str] | None:
    row = bind.execute(
        sa.select(TrailHead.seq, TrailHead.hash).where(TrailHead.id == HEAD_ID)
    ).one_or_none()
    return (row.seq, row.hash) if row is not None else None


def anchor_head(
    session: Session, folder: Path, *, timezone: str, reason: str = "manual"
) -> Anchor | None:
    """Anchor the committed head now (`qms trail anchor`, a backup script); None if no events.

    Call it with nothing pending in the session: it anchors what the session reads.
    """
    head = _read_head(session)
    if head is None or head[0] == 0:
        return None
    return write_anchor(folder, head[0], head[1], timezone=timezone, reason=reason)


class DailyAnchor:
    """One app's daily anchor: its folder, its zone, and the last day known to be anchored."""

    def __init__(self, folder: Path, timezone: str) -> None:
        self.folder = folder
        self.timezone = timezone
        self.anchored_on: date | None = None  # remembered so most commits skip the disk
        self._lock = threading.Lock()

    def today(self, now: datetime | None = None) -> date:
        return (now or utcnow()).astimezone(ZoneInfo(self.timezone)).date()

    def is_done(self) -> bool:
        return self.anchored_on == self.today()

    def anchor_if_due(self, engine: Engine) -> Anchor | None:
        """The first call of a local day writes an anchor (unless the folder has one)."""
        now = utcnow()
        today = self.today(now)
        with self._lock:
            if self.anchored_on == today:
                return None
            if any(self.folder.glob(f"{today.isoformat()}_*.json")):
                self.anchored_on = today  # another process, or `qms trail anchor`, took it
                return None
            with engine.connect() as connection:
                head = _read_head(connection)
            if head is None or head[0] == 0:
                return None
            anchor = write_anchor(
                self.folder, head[0], head[1], timezone=self.timezone, reason="daily", now=now
            )
            self.anchored_on = today
            return anchor


def daily_anchor(app: Flask) -> DailyAnchor:
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = DailyAnchor(folder_of(app), app.extensions["qms_settings"].timezone)
        app.extensions[EXTENSION] = found
    return found


def schedule(session: Session) -> None:
    """Ask for today's anchor once this session's transaction commits (needs an app context).

    Called by `record()`; cheap once the day is anchored.
    """
    if not has_app_context() or "qms_settings" not in current_app.extensions:
        return
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    target = daily_anchor(app)
    if target.is_done():
        return
    after_commit(session, ANCHOR, partial(_anchor, target, session))


def _anchor(target: DailyAnchor, session: Session) -> None:
    try:
        anchor = target.anchor_if_due(session.get_bind().engine)
    except Exception:  # the change is committed: the user's request must not fail now
        log.exception("trail anchor not written to %s; run `qms trail anchor`", target.folder)
        return
    if anchor is not None:
        log.info("trail anchored at event #%d in %s", anchor.seq, anchor.name)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
