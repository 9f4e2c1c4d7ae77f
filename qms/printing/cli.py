"""`qms print`: the same printing service as the pages, for batch work, acting as a user."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qms.core.db import db
from qms.core.errors import DomainError
from qms.documents.models import Document, DocumentVersion
from qms.documents.queries import version_in_force
from qms.printing import copies
from qms.printing.services import print_uncontrolled_copy
from qms.printing.verify_views import verification_url
from qms.users.services import find_user


@click.command("print")
@click.argument("code")
@click.option("--version", "number", type=int, help="Version number (default: the one in force).")
@click.option("--controlled", is_flag=True, help="Issue a new controlled copy and print it.")
@click.option("--holder", default="", help="Who or where holds the controlled copy.")
@click.option("--page-size", type=click.Choice(["A4", "Letter"]), default="A4", show_default=True)
@click.option("--as", "username", required=True, help="Print as this user (their permissions).")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@with_appcontext
def print_command(
    code: str,
    number: int | None,
    controlled: bool,
    holder: str,
    page_size: str,
    username: str,
    output: Path,
) -> None:
    """Print a version of document CODE to a PDF file, on record in the trail."""
    session = db.session
    actor = find_user(session, username)
    if actor is None or not actor.active:
        raise click.ClickException(f"no active user {username!r}")
    document = session.scalar(sa.select(Document).where(Document.code == code.upper()))
    version = None
    if document is not None:
        version = (
            session.scalar(
                sa.select(DocumentVersion).where(
                    DocumentVersion.document_id == document.id, DocumentVersion.number == number
                )
            )
            if number is not None
            else version_in_force(session, document.id)
        )
    if version is None:
        raise click.ClickException(f"no such version of {code}")
    settings = current_app.extensions["qms_settings"]
    store = current_app.extensions["qms_store"]
    # url_for and the stamp's dates need a request; the base URL is where people reach the app.
    with current_app.test_request_context(
        base_url=settings.base_url, environ_base={"REMOTE_ADDR": "cli"}
    ):
        try:
            if controlled:
                copy = copies.issue_controlled_copy(session, actor, version.id, holder)
                pdf, _name = copies.print_controlled_copy(
                    session,
                    store,
                    actor,
                    copy.id,
                    page_size=page_size,
                    check_url=verification_url(version.id),
                )
            else:
                pdf, _name = print_uncontrolled_copy(
                    session,
                    store,
                    actor,
                    version.id,
                    page_size=page_size,
                    check_url=verification_url(version.id),
                )
            session.commit()
        except DomainError as error:
            session.rollback()
            raise click.ClickException(error.message) from None
    output.write_bytes(pdf)
    click.echo(f"{output} ({len(pdf)} bytes)")
