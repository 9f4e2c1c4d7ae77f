"""Document commands for operators and cron: `qms tick`, `qms signatures verify`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from qms.core.db import db
from qms.documents import approval
from qms.documents.models import DocumentVersion, VersionState
from qms.documents.verify import verify_signatures


def run_tick(app: Flask) -> list[str]:
    """Everything `qms tick` does, as report lines (the in-app schedule calls it too).

    First the transitions due today, committed; then each hook other packages registered in
    `app.extensions["qms_tick_hooks"]` (reminders and mail), each committing its own work.
    """
    session = db.session
    try:
        applied = approval.apply_due_transitions(session)
        lines = [_describe(version) for version in applied]
        session.commit()
    except Exception:
        session.rollback()
        raise
    if applied:
        lines.append(f"{len(applied)} version(s) took effect.")
    else:
        lines.append("Nothing changed: no version was due.")
    for hook in app.extensions.get("qms_tick_hooks", []):
        lines += hook(app)
    return lines


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Apply the transitions due today, then send the reminders that are due.

    Idempotent, for cron: a second run finds nothing due, changes nothing and mails nothing.
    """
    for line in run_tick(current_app._get_current_object()):  # type: ignore[attr-defined]
        click.echo(line)


def _describe(version: DocumentVersion) -> str:
    """One line per version that took effect, naming the one it superseded (same instant)."""
    session = db.session
    previous = session.scalar(
        sa.select(DocumentVersion.number).where(
            DocumentVersion.document_id == version.document_id,
            DocumentVersion.state == VersionState.SUPERSEDED,
            DocumentVersion.superseded_at == version.effective_at,
        )
    )
    line = (
        f"{version.document.code} v{version.number} effective "
        f"(effective from {version.effective_from})"
    )
    if previous is not None:
        line += f", superseding v{previous}"
    return line


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
