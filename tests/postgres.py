"""A PostgreSQL database per test worker: created, migrated, reset between tests, dropped.

The server is named by QMS_TEST_DATABASE_URL (`scripts/test.sh` finds one on 127.0.0.1:5432
by itself). Each worker process makes its own database `qms_test_<worker>_<pid>_<random>`,
built by `alembic upgrade head` (never create_all). Between tests every table is emptied in one
TRUNCATE and the rows the migrations wrote are put back; the tables come from the models'
metadata (the drift test keeps it equal to the migrations), so nothing is reflected per test.
"""

from __future__ import annotations

import os
import re
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from qms import models
from qms.core import migrate

PG_ENV = "QMS_TEST_DATABASE_URL"
METADATA = models.Base.metadata
ORPHAN = re.compile(r"^qms_test_\w+?_(?P<pid>\d+)_[0-9a-f]{6}$")


class Unavailable(Exception):
    """No PostgreSQL to test on; the message says why."""


def server_url() -> str:
    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        raise Unavailable(f"{PG_ENV} is not set")
    if not url.startswith("postgresql"):
        raise Unavailable(f"{PG_ENV} must be a postgresql+psycopg:// URL")
    return url


def _drop_orphans(connection: sa.Connection, host: str | None) -> None:
    """Drop the databases of earlier runs on this machine whose worker was killed.

    Only on a local server, where the process id in the name is one of this machine's.
    """
    if host not in ("127.0.0.1", "localhost", "::1", None):
        return
    names = connection.scalars(
        sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'qms\\_test\\_%'")
    )
    for name in list(names):
        match = ORPHAN.match(name)
        if match and not _alive(int(match["pid"])):
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerDatabase:
    """This worker's migrated database on the server, and the way back to its first state."""

    def __init__(self) -> None:
        self.admin_url = server_url()
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.name = f"qms_test_{worker}_{os.getpid()}_{secrets.token_hex(3)}"
        self._admin = sa.create_engine(
            self.admin_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        try:
            with self._admin.connect() as connection:
                _drop_orphans(connection, make_url(self.admin_url).host)
                connection.execute(sa.text(f'CREATE DATABASE "{self.name}"'))
        except sa.exc.OperationalError as error:
            self._admin.dispose()
            raise Unavailable(f"cannot reach PostgreSQL at {PG_ENV}: {error.orig}") from None
        self.url = (
            make_url(self.admin_url).set(database=self.name).render_as_string(hide_password=False)
        )
        migrate.upgrade(self.url)
        # One pooled connection serves every reset of this worker.
        self._engine = sa.create_engine(self.url, pool_size=1, max_overflow=0)
        self._tables = [t for t in METADATA.sorted_tables if t.name != "alembic_version"]
        self._truncate = sa.text(
            "TRUNCATE " + ", ".join(f'"{t.name}"' for t in self._tables) + " RESTART IDENTITY"
        )
        self._seeded = self._snapshot()

    def _snapshot(self) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
        """The rows the migrations themselves wrote (trail head, seeded document types...)."""
        with self._engine.connect() as connection:
            seeded = []
            for table in self._tables:
                rows = [dict(row._mapping) for row in connection.execute(sa.select(table))]
                if rows:
                    seeded.append((table, rows))
            return seeded

    def reset(self) -> None:
        """Every table back to what the migrations left, in one transaction."""
        with self._engine.begin() as connection:
            connection.execute(self._truncate)
            for table, rows in self._seeded:
                connection.execute(sa.insert(table), rows)
                if "id" in table.c and table.c.id.autoincrement:
                    # Seeded ids must not collide with the next generated one.
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'(SELECT max(id) FROM "{table.name}"))'
                        )
                    )

    def drop(self) -> None:
        self._engine.dispose()
        try:
            with self._admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        finally:
            self._admin.dispose()
