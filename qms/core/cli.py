"""`qms db …`: schema migrations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from qms.core import migrate


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Apply the Alembic migrations up to REVISION."""
    settings = current_app.extensions["qms_settings"]
    migrate.upgrade(settings.database_url, revision)
    click.echo(f"Database at {revision}.")


@db_group.command("current")
@with_appcontext
def current_command() -> None:
    """Print the revision the database is at."""
    from qms.core.db import db

    click.echo(migrate.current_revision(db.engine) or "(empty)")
