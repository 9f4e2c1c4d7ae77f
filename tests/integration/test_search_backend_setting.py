"""QMS_SEARCH_BACKEND (issue 15, item 7): Whoosh unless told; PostgreSQL only on PostgreSQL,
refused at start with the reason otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from qms import create_app
from qms.config import Settings, SettingsError


def _settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'qms.sqlite3'}"
    return Settings(instance_path=tmp_path, database_url=url, secret_key="x")


def test_the_embedded_whoosh_index_is_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("QMS_SEARCH_BACKEND", raising=False)
    assert _settings(tmp_path).resolved().search_backend == "whoosh"


def test_the_postgres_search_backend_on_sqlite_is_refused_at_start(tmp_path, monkeypatch):
    monkeypatch.setenv("QMS_SEARCH_BACKEND", "postgres")
    with pytest.raises(SettingsError, match="QMS_SEARCH_BACKEND=postgres needs a PostgreSQL"):
        create_app(_settings(tmp_path))


def test_an_unknown_search_backend_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("QMS_SEARCH_BACKEND", "elastic")
    with pytest.raises(SettingsError, match="use one of whoosh, postgres"):
        _settings(tmp_path).resolved()
