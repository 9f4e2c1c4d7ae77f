"""Declarative base, engine set-up and the per-request session."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_app_context
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def rowcount(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched. `Session.execute` is typed as returning a plain
    Result; for these statements it is a CursorResult, which has the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"no row count on a {type(result).__name__}")
    return result.rowcount


def _configure_sqlite(dbapi_connection: Any, _record: Any, busy_ms: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # A rollback journal, not WAL: this machine's SQLite (3.40) carries the WAL-reset bug that
    # can corrupt a database when several connections write and checkpoint at once (fixed only
    # in 3.51.3). DELETE mode serialises writers through file locks, which busy_timeout waits
    # on, and with synchronous FULL a committed transaction survives a power cut.
    cursor.execute("PRAGMA journal_mode = DELETE")
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
    cursor.close()


def create_db_engine(url: str, sqlite_busy_ms: int = 15000) -> Engine:
    """Engine with the SQLite pragmas applied to every new connection."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            connect_args={"timeout": sqlite_busy_ms / 1000, "check_same_thread": False},
            poolclass=sa.pool.NullPool,
        )
        sa.event.listen(
            engine,
            "connect",
            lambda conn, rec: _configure_sqlite(conn, rec, sqlite_busy_ms),
        )
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class Database:
    """One per app: the engine and the session factory."""

    def __init__(self, url: str, sqlite_busy_ms: int = 15000) -> None:
        self.url = url
        self.engine: Engine = create_db_engine(url, sqlite_busy_ms)
        self.session_factory: sessionmaker[Session] = sessionmaker(
            bind=self.engine, expire_on_commit=False
        )

    def init_app(self, app: Flask) -> None:
        app.extensions["qms_db"] = self
        app.teardown_appcontext(_remove_session)


def _remove_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        # close() also rolls back anything uncommitted, without expiring loaded objects.
        session.close()


class _CurrentDatabase:
    """`db.session` is the session of the current app context; `db.engine` its engine."""

    @property
    def database(self) -> Database:
        if not has_app_context():
            raise RuntimeError("the database needs an application context")
        return current_app.extensions["qms_db"]

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.database.session_factory()
        return g.db_session


db = _CurrentDatabase()
