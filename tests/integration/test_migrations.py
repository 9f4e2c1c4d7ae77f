"""The schema comes only from Alembic: the models must not drift from the migrations."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from qms.core import migrate
from qms.core.db import create_db_engine
from qms.models import Base
from qms.trail.models import GENESIS_HASH

VERSIONS = migrate.migrations_path() / "versions"
FILE_NAME = re.compile(r"^(?P<date>\d{8}_\d{4})_(?P<rev>[0-9a-f]{6,})_(?P<slug>[a-z0-9_]+)\.py$")


def _scripts(url: str = "sqlite://") -> ScriptDirectory:
    return ScriptDirectory.from_config(migrate.alembic_config(url))


@pytest.mark.sql
def test_models_match_migrations(database_url: str) -> None:
    """`alembic upgrade head` then compare: fails when a model changed without a migration."""
    engine = create_db_engine(database_url)
    try:
        assert migrate.current_revision(engine) == _scripts().get_current_head()
        differences = migrate.drift(engine, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], (
        "models and migrations differ; write a migration (alembic revision --autogenerate):\n"
        + "\n".join(map(str, differences))
    )


@pytest.mark.sql
def test_migration_seeds_the_trail_head(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT id, seq, hash FROM trail_head")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [(1, 0, GENESIS_HASH)]


def test_migration_file_names_are_dated() -> None:
    files = sorted(p for p in VERSIONS.glob("*.py") if p.name != "__init__.py")
    assert files, "no migration files"
    scripts = _scripts()
    for path in files:
        match = FILE_NAME.match(path.name)
        assert match, f"{path.name} does not match YYYYMMDD_HHMM_<rev>_<slug>.py"
        datetime.strptime(match["date"], "%Y%m%d_%H%M")  # a real date and time
        revision = scripts.get_revision(match["rev"])
        assert revision is not None, f"{path.name}: no revision {match['rev']}"
        assert Path(revision.path).name == path.name, f"{path.name} names another revision"


def test_single_head() -> None:
    heads = _scripts().get_heads()
    assert len(heads) == 1, f"several migration heads, merge them: {heads}"


def test_downgrade_to_base_and_upgrade_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    config = migrate.alembic_config(url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = create_db_engine(url)
    try:
        left = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set(), f"downgrade to base left tables behind: {sorted(left)}"
        assert migrate.current_revision(engine) is None
        command.upgrade(config, "head")
        assert migrate.current_revision(engine) == _scripts().get_current_head()
        assert migrate.drift(engine, Base.metadata) == []
    finally:
        engine.dispose()
