"""The index write lock: one writer at a time, on every host, and it dies with its holder.

Whoosh (an index in a folder): an flock on `.write.lock` in the folder, which the kernel drops
when the process dies. PostgreSQL (entries in a table, perhaps written from several hosts): a
session-level advisory lock of the database, held on a connection of its own for as long as the
lock is, which the server drops when that connection ends, the process being killed included.
Either is re-entrant within a thread (a drain may open, and so reconcile, the index).
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

from qms.search import status

log = logging.getLogger(__name__)

WRITE_LOCK = ".write.lock"
# The advisory lock's key: any bigint no other part of the app takes ("qms.srch" in ASCII).
# Advisory locks belong to one database, so the same key elsewhere on the server is another lock.
ADVISORY_KEY = 0x716D732E73726368
_held = threading.local()


def _depths() -> dict[str, int]:
    depths: dict[str, int] = _held.__dict__.setdefault("depths", {})
    return depths


def _name(app: Flask) -> str:
    if status.backend_name(app) == "postgres":
        return f"advisory:{app.extensions['qms_db'].url}"
    return str(status.root(app))


def holding(app: Flask) -> bool:
    """Whether this thread holds the index write lock."""
    return bool(_depths().get(_name(app)))


@contextmanager
def write_lock(app: Flask, *, blocking: bool) -> Iterator[bool]:
    """Hold the index write lock: yields False at once when another holds it and `blocking`
    is False."""
    key = _name(app)
    depths = _depths()
    if depths.get(key):
        depths[key] += 1
        try:
            yield True
        finally:
            depths[key] -= 1
        return
    taken = _advisory if status.backend_name(app) == "postgres" else _flock
    with taken(app, blocking) as held:
        if not held:
            yield False
            return
        depths[key] = 1
        try:
            yield True
        finally:
            depths.pop(key, None)


@contextmanager
def _flock(app: Flask, blocking: bool) -> Iterator[bool]:
    root = status.root(app)
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / WRITE_LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _advisory(app: Flask, blocking: bool) -> Iterator[bool]:
    engine: sa.Engine = app.extensions["qms_db"].engine
    # Autocommit: the connection holds the lock, never a transaction (which would keep a
    # snapshot and an xid open for as long as the lock is held).
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        if blocking:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_KEY})
        elif not connection.scalar(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ):
            yield False
            return
        try:
            yield True
        finally:
            try:
                connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
            except Exception:
                # Not back to the pool holding the lock: closing the connection frees it.
                log.exception("search index: the advisory lock could not be released")
                connection.invalidate()
    finally:
        connection.close()
