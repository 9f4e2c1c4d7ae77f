"""Integration tests run on SQLite and, when QMS_TEST_DATABASE_URL is set, on PostgreSQL.

The PostgreSQL database is created once per test session on the given server, built by
`alembic upgrade head` (never create_all), emptied between tests and dropped at the end.
Under CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from qms.core import migrate

PG_ENV = "QMS_TEST_DATABASE_URL"


def skip_or_fail(reason: str) -> None:
    """Skip locally; fail under CI, where every kind of test is required."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"PostgreSQL tests are required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """URL of a fresh database qms_test_<pid>_<random>, migrated to head, dropped afterwards."""
    server_url = os.environ.get(PG_ENV, "").strip()
    if not server_url:
        skip_or_fail(f"{PG_ENV} is not set")
    if not server_url.startswith("postgresql"):
        skip_or_fail(f"{PG_ENV} must be a postgresql+psycopg:// URL")
    name = f"qms_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        admin.dispose()
        skip_or_fail(f"cannot reach PostgreSQL at {PG_ENV}: {error.orig}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        _SNAPSHOTS[url] = _snapshot(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _snapshot(url: str) -> dict[str, list[dict]]:
    """The rows the migrations themselves wrote (trail head, seeded document types...)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    metadata = sa.MetaData()
    try:
        with engine.connect() as connection:
            metadata.reflect(connection)
            return {
                name: [dict(row._mapping) for row in connection.execute(sa.select(table))]
                for name, table in metadata.tables.items()
                if name != "alembic_version"
            }
    finally:
        engine.dispose()


_SNAPSHOTS: dict[str, dict[str, list[dict]]] = {}


def reset_postgres(url: str) -> None:
    """Empty every table but alembic_version, then put back what the migrations wrote."""
    snapshot = _SNAPSHOTS[url]
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    metadata = sa.MetaData()
    try:
        with engine.begin() as connection:
            metadata.reflect(connection)
            tables = [name for name in metadata.tables if name != "alembic_version"]
            if tables:
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            for name, rows in snapshot.items():
                if not rows:
                    continue
                connection.execute(sa.insert(metadata.tables[name]), rows)
                if "id" in metadata.tables[name].c:
                    # Seeded ids must not collide with the next generated one.
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                            f'(SELECT max(id) FROM "{name}"))'
                        )
                    )
    finally:
        engine.dispose()


@pytest.fixture
def postgresql_url(postgres_database: str) -> str:
    reset_postgres(postgres_database)
    return postgres_database


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """Every integration test that uses the database runs on both backends."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgresql_url")
    return request.getfixturevalue("sqlite_url")
