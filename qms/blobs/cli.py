"""`qms fsck`: the blob store against the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from qms.blobs.fsck import fsck
from qms.core.db import db


@click.command("fsck")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary and problems.")
@with_appcontext
def fsck_command(quiet: bool) -> None:
    """Check every blob in the store against the database.

    Exits 1 when a recorded blob is missing or altered. Unreferenced files (in the store, not
    in the database, e.g. left by a rolled-back upload) are only a warning: exit 0.
    """
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
