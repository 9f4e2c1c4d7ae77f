"""Rows numbered in sequence (document codes, NC-YYYY-NNNN, PQRS, audits): the next free
number, taken again when a concurrent writer took it first.

The number is read as max + 1, so two writers can read the same one; the unique constraint
makes the later insert fail, and `add_numbered` then builds the row again with a fresh number
in a savepoint, so the request succeeds instead of answering 500. On SQLite, which has one
writer at a time, the write lock is taken before the number is read, so the race never
starts (and the savepoint sits inside a real transaction, where pysqlite keeps it atomic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.core.errors import Conflict

T = TypeVar("T")
ATTEMPTS = 8


def is_unique_violation(error: IntegrityError) -> bool:
    """A duplicate key (PostgreSQL SQLSTATE 23505, SQLite "UNIQUE constraint failed")."""
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)


def take_write_lock(session: Session) -> None:
    """SQLite: hold the database's write lock from now until this transaction ends."""
    if session.get_bind().dialect.name == "sqlite":
        # Any write statement makes pysqlite open the transaction and SQLite take the lock;
        # this one changes nothing.
        session.execute(sa.text("UPDATE alembic_version SET version_num = version_num WHERE 0"))


def add_numbered(session: Session, build: Callable[[], T], *, attempts: int = ATTEMPTS) -> T:
    """Add and flush the row `build()` makes with the next free number; when a concurrent
    twin took that number (a unique violation), build it again. Conflict after `attempts`."""
    take_write_lock(session)
    for _ in range(attempts):
        row = build()
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError as error:
            if not is_unique_violation(error):
                raise
            continue
        return row
    raise Conflict(str(_l("Many records are being created at once; try again.")))
