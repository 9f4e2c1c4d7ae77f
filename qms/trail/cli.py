"""`qms trail …`: check the chain, and anchor its head outside the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext, ngettext

from qms.core.db import db
from qms.core.localtime import local_zone
from qms.trail import anchors
from qms.trail.services import verify_chain


@click.group("trail")
def trail_group() -> None:
    """The tamper-evident event log."""


@trail_group.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check every event's hash and link, and the chain against its anchors in the blob store;
    exit 1 naming the first broken event (a truncated chain included)."""
    # The anchors first: each names an event committed before verify_chain reads the head.
    reading = anchors.read_anchors(anchors.folder_of(current_app))
    checked, problem = verify_chain(db.session, anchors=reading.anchors)
    for name, why in reading.unreadable:
        click.echo(gettext("Anchor %(name)s unreadable: %(why)s", name=name, why=why), err=True)
    if problem is not None:
        click.echo(f"Trail BROKEN at {problem.describe()}", err=True)
        click.echo(f"{checked} events verified before it.", err=True)
        raise SystemExit(1)
    if reading.unreadable:
        raise SystemExit(1)
    click.echo(f"Trail intact: {checked} events verified.")
    if reading.anchors:
        newest = max(reading.anchors, key=lambda a: (a.seq, a.name))
        click.echo(
            ngettext(
                "Checked against %(num)d anchor (%(day)s), which records event #%(seq)s.",
                "Checked against %(num)d anchors; the newest (%(day)s) records event #%(seq)s.",
                len(reading.anchors),
                day=newest.local_date.isoformat(),
                seq=newest.seq,
            )
        )
    elif checked:
        click.echo(
            gettext(
                "No anchors in %(folder)s: a truncated chain would go unnoticed. "
                "Run `qms trail anchor`.",
                folder=anchors.folder_of(current_app),
            ),
            err=True,
        )


@trail_group.command("anchor")
@click.option(
    "--reason",
    type=click.Choice(["manual", "backup"]),
    default="manual",
    show_default=True,
    help="Recorded in the anchor; use `backup` right before copying the database.",
)
@with_appcontext
def anchor_command(reason: str) -> None:
    """Write the chain head (last event's seq and hash) to an anchor file in the blob store.

    For cron (hourly narrows the time a truncation could go unnoticed) and for backup scripts.
    The app itself anchors the head with the first event of each day. Changes no event.
    """
    folder = anchors.folder_of(current_app)
    timezone = local_zone().key
    anchor = anchors.anchor_head(db.session, folder, timezone=timezone, reason=reason)
    if anchor is None:
        click.echo(gettext("The trail is empty: nothing to anchor."))
        return
    click.echo(
        gettext(
            "Anchored event #%(seq)s (hash %(hash)s…) in %(path)s",
            seq=anchor.seq,
            hash=anchor.hash[:12],
            path=folder / anchor.name,
        )
    )
