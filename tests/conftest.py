"""Fixtures: a real SQLite file migrated by Alembic, the real blob store in a temp dir.

Every test runs on SQLite. A test whose subject is SQL behaviour (conditional updates, races,
locks, triggers, migrations and drift, visibility queries, unique constraints) is marked
`sql` and runs a second time on PostgreSQL (marked `postgres` there). Without a server it
skips locally and fails under CI=true.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms import create_app
from qms.config import Settings
from qms.core import migrate
from qms.printing import render
from tests import pdf_memo, postgres
from tests.helpers import PASSWORD, login, make_user, skip_or_fail

BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `sql` that touches the database runs on both backends."""
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("sql"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(autouse=True)
def _pdfs_in_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Render PDFs in this process, once per HTML, except in tests marked `sandbox`."""
    if request.node.get_closest_marker("sandbox") is None:
        monkeypatch.setattr(render, "render_isolated", pdf_memo.render_in_process)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file built by `alembic upgrade head`; each test gets a copy of it."""
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def build_settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        store_path=tmp_path / "store",
        search_index_path=tmp_path / "index",
        secret_key="test-secret-key-not-for-production",
        # Real scrypt at a lower cost, so that hundreds of sign-ins stay fast.
        password_hash_method="scrypt:4096:8:1",
        # Approvals in tests do not start background renders; tests that want one ask for it.
        render_on_approval=False,
        # No background tick in tests (each app would keep a thread); tests tick themselves.
        tick_interval_minutes=0,
        testing=True,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    target = tmp_path / "qms.sqlite3"
    shutil.copyfile(migrated_sqlite, target)
    return f"sqlite:///{target}"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[postgres.WorkerDatabase]:
    """This worker's PostgreSQL database, migrated to head, dropped at the end."""
    try:
        database = postgres.WorkerDatabase()
    except postgres.Unavailable as error:
        skip_or_fail("PostgreSQL", str(error))
    try:
        yield database
    finally:
        database.drop()


@pytest.fixture
def postgresql_url(postgres_database: postgres.WorkerDatabase) -> str:
    postgres_database.reset()
    return postgres_database.url


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite", or the backend a `sql` test was parametrized with."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str) -> str:
    """The database a test runs on: SQLite, and PostgreSQL too for tests marked `sql`."""
    return request.getfixturevalue(f"{backend}_url")


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    application = create_app(build_settings(tmp_path, database_url))
    yield application
    application.extensions["qms_db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def client_as(app: Flask) -> Callable[..., FlaskClient]:
    """A signed-in client for a new user holding `roles` (a role name or a list)."""
    counter = {"n": 0}

    def _client(
        roles: str | list[str] | tuple[str, ...], username: str | None = None
    ) -> FlaskClient:
        role_list = [roles] if isinstance(roles, str) else list(roles)
        counter["n"] += 1
        name = username or f"{'-'.join(role_list) or 'norole'}{counter['n']}".replace("_", "")
        make_user(app, name, role_list)
        new_client = app.test_client()
        response = login(new_client, name, PASSWORD)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        new_client.username = name  # type: ignore[attr-defined]
        return new_client

    return _client
