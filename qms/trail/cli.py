"""`qms trail …`: check the chain."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from qms.core.db import db
from qms.trail.services import verify_chain


@click.group("trail")
def trail_group() -> None:
    """The tamper-evident event log."""


@trail_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every event's hash and link; exit 1 naming the first broken event."""
    checked, problem = verify_chain(db.session)
    if problem is not None:
        click.echo(f"Trail BROKEN at {problem.describe()}", err=True)
        click.echo(f"{checked} events verified before it.", err=True)
        raise SystemExit(1)
    click.echo(f"Trail intact: {checked} events verified.")
