"""Document commands for operators and cron: `qms signatures verify` (`qms tick`: qms.tick)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from qms.core.db import db
from qms.documents.verify import verify_signatures


@click.group("signatures")
def signatures_group() -> None:
    """Electronic signatures."""


@signatures_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check that every signed version still holds the content and files that were signed.

    Exit 1 naming each broken version (code, number and why); exit 0 with the counts.
    """
    report = verify_signatures(db.session, current_app.extensions["qms_store"])
    db.session.rollback()  # read only: end the read transaction
    for broken in report.broken:
        click.echo(f"BROKEN {broken.describe()}", err=True)
    click.echo(
        f"{report.versions} signed versions, {report.signatures} signatures and "
        f"{report.blobs} attachments checked: {len(report.broken)} broken."
    )
    if not report.ok:
        raise SystemExit(1)
