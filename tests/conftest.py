"""Fixtures: a real SQLite file migrated by Alembic, the real blob store in a temp dir."""

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
from tests.helpers import PASSWORD, login, make_user


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
        testing=True,
    )


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    target = tmp_path / "qms.sqlite3"
    shutil.copyfile(migrated_sqlite, target)
    return f"sqlite:///{target}"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The database a test runs on; integration tests override it to add PostgreSQL."""
    return sqlite_url


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
