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


@click.command("fsck")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and problems.")
@with_appcontext
def fsck_command(quiet: bool) -> None:
    """Check every blob in the store against the database.

    Exits 1 when a recorded blob is missing or altered. Unreferenced files (in the store, not
    in the database, e.g. left by a rolled-back upload) are only a warning: exit 0.
    """
    from qms.core.db import db
    from qms.core.fsck import fsck

    report = fsck(db.session, current_app.extensions["qms_store"])
    for sha256 in report.missing:
        click.echo(f"MISSING      {sha256}", err=True)
    for sha256 in report.altered:
        click.echo(f"ALTERED      {sha256}", err=True)
    for sha256 in report.unreferenced:
        if not quiet:
            click.echo(f"UNREFERENCED {sha256} (warning)")
    click.echo(
        f"{report.checked} blobs checked: {len(report.missing)} missing, "
        f"{len(report.altered)} altered, {len(report.unreferenced)} unreferenced."
    )
    if not report.ok:
        raise SystemExit(1)
