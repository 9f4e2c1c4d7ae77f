"""`qms export CODE [--version N] -o FILE.docx --as USERNAME`: a version written to Word by the
same service as the page's download, with the user's visibility and on record in the trail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from qms.core.cli_errors import reported
from qms.core.db import db
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.documents.queries import find_document, version_in_force, visible_versions
from qms.users.services import find_user
from qms.word.writing import version_docx


@click.command("export")
@click.argument("code")
@click.option("--version", "number", type=int, help="Version number (default: the one in force).")
@click.option(
    "-o",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .docx file to write.",
)
@click.option("--as", "username", required=True, help="Export as this user (what they may see).")
@with_appcontext
def export_command(code: str, number: int | None, output: Path, username: str) -> None:
    """Write a version of document CODE to a Word (.docx) file."""
    session = db.session
    actor = find_user(session, username)
    if actor is None or not actor.active:
        raise click.ClickException(f"no active user {username!r}")
    settings = current_app.extensions["qms_settings"]
    # Labels and dates in the default language; the trail names the command line as the client.
    with (
        current_app.test_request_context(
            base_url=settings.base_url, environ_base={"REMOTE_ADDR": "cli"}
        ),
        reported(session),
    ):
        document = find_document(session, actor, code)
        version = _chosen(session, actor, document, number)
        if version is None:
            raise click.ClickException(f"no such version of {code}")
        _name, data = version_docx(session, actor, version.id)
        session.commit()
    output.write_bytes(data)
    click.echo(f"{output} ({len(data)} bytes)")


def _chosen(
    session: Session, actor: Any, document: Document, number: int | None
) -> DocumentVersion | None:
    """Version N if the actor may see it; else the one in force; else the latest they see."""
    seen = [
        v for v in visible_versions(session, actor, document) if v.state != VersionState.DISCARDED
    ]
    if number is not None:
        return next((v for v in seen if v.number == number), None)
    current = version_in_force(session, document.id)
    if current is not None and current in seen:
        return current
    return seen[-1] if seen else None
