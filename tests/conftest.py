"""Fixtures: a real SQLite file migrated by Alembic, the real blob store in a temp dir.

Every test runs on SQLite. A test whose subject is SQL behaviour (conditional updates, races,
locks, triggers, migrations and drift, visibility queries, unique constraints) is marked
`sql` and runs a second time on PostgreSQL (marked `postgres` there). Without a server it
skips locally and fails under CI=true. A `sql` test also marked `search_backends` runs a third
time on PostgreSQL with the PostgreSQL search backend (QMS_SEARCH_BACKEND=postgres).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from werkzeug.routing import Rule

from qms import create_app
from qms.config import Settings
from qms.core import migrate
from qms.printing import render
from tests import pdf_memo, postgres
from tests.helpers import PASSWORD, login, make_user, skip_or_fail

BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
# The database and the search backend of each run; the search backend is Whoosh unless named.
PG_SEARCH = "postgresql-search"
SEARCH_BACKENDS = [*BACKENDS, pytest.param(PG_SEARCH, marks=pytest.mark.postgres)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `sql` that touches the database runs on both databases; marked
    `search_backends` too, also with the PostgreSQL search backend."""
    definition = metafunc.definition
    if "database_url" in metafunc.fixturenames and definition.get_closest_marker("sql"):
        several = definition.get_closest_marker("search_backends")
        metafunc.parametrize("backend", SEARCH_BACKENDS if several else BACKENDS, indirect=True)


def _share_url_builders() -> None:
    """Werkzeug compiles two URL-builder functions (an AST, then `compile`) for each of the
    app's 260-odd rules each time an app is made: 0.1 s of every test, whose app is its own.
    A builder depends only on the rule's text, its parsed parts and defaults, so apps in one
    test process share them; each rule still binds its own (`__get__(rule)` in Rule.compile)."""
    compile_builder = Rule._compile_builder
    cache: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}

    def shared(self: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items()))
        key = (self.rule, tuple(self._trace), defaults, append_unknown)
        if key not in cache:
            cache[key] = compile_builder(self, append_unknown)
        return cache[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


_share_url_builders()


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by the apps of one test process (each test makes its own app,
    whose Jinja environment would parse and compile every page's template again). Jinja keys a
    bucket by the template's name and a checksum of its source: an edited template recompiles."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = _SharedBytecode()


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


def build_settings(tmp_path: Path, database_url: str, search_backend: str = "whoosh") -> Settings:
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        store_path=tmp_path / "store",
        search_index_path=tmp_path / "index",
        search_backend=search_backend,
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
    database = "postgresql" if backend == PG_SEARCH else backend
    return request.getfixturevalue(f"{database}_url")


@pytest.fixture
def search_backend_name(backend: str) -> str:
    """ "whoosh", or "postgres" in the PostgreSQL search backend's run."""
    return "postgres" if backend == PG_SEARCH else "whoosh"


@pytest.fixture
def app(tmp_path: Path, database_url: str, search_backend_name: str) -> Iterator[Flask]:
    application = create_app(build_settings(tmp_path, database_url, search_backend_name))
    application.jinja_env.bytecode_cache = SHARED_BYTECODE
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
