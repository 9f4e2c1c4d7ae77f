"""`qms print`: the same printing service as the pages, for batch work, acting as a user.

`qms print --prerender [--page-size …]` renders the base PDF of every version in force that
has none yet (after a template change, or to warm the cache after approvals).
"""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qms.core.cli_errors import reported
from qms.core.db import db
from qms.core.errors import DomainError
from qms.documents.models import Document, DocumentVersion
from qms.documents.queries import version_in_force
from qms.organisation.identity import default_paper
from qms.printing import copies, render
from qms.users.services import find_user


def _prerender(page_sizes: list[str]) -> None:
    session = db.session
    store = current_app.extensions["qms_store"]
    for version_id in render.versions_in_force(session):
        try:
            done = render.prerender(session, store, [version_id], page_sizes)
            session.commit()
        except DomainError as error:
            session.rollback()
            click.echo(f"version {version_id}: {error.message}", err=True)
            continue
        for version, size, rendition in done:
            ms = rendition.render_ms if rendition is not None else 0
            click.echo(f"{version.document.code} v{version.number} {size}: {ms} ms")


@click.command("print")
@click.argument("code", required=False)
@click.option("--version", "number", type=int, help="Version number (default: the one in force).")
@click.option("--controlled", is_flag=True, help="Issue a new controlled copy and print it.")
@click.option("--holder", default="", help="Who or where holds the controlled copy.")
@click.option(
    "--page-size",
    type=click.Choice(list(render.PAGE_SIZES)),
    help="Paper (default: the organisation's, set on its settings page).",
)
@click.option("--as", "username", help="Print as this user (their permissions).")
@click.option("-o", "output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--prerender", is_flag=True, help="Render base PDFs of all versions in force.")
@with_appcontext
def print_command(
    code: str | None,
    number: int | None,
    controlled: bool,
    holder: str,
    page_size: str | None,
    username: str | None,
    output: Path | None,
    prerender: bool,
) -> None:
    """Print a version of document CODE to a PDF file, on record in the trail."""
    settings = current_app.extensions["qms_settings"]
    page_size = page_size or default_paper()
    if prerender:
        with current_app.test_request_context(base_url=settings.base_url):
            _prerender([page_size])
        return
    if not code or not username or output is None:
        raise click.UsageError("CODE, --as and -o are required (or use --prerender)")
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
    store = current_app.extensions["qms_store"]
    # url_for and the stamp's dates need a request; the base URL is where people reach the app.
    with (
        current_app.test_request_context(
            base_url=settings.base_url, environ_base={"REMOTE_ADDR": "cli"}
        ),
        reported(session),
    ):
        copy_id = None
        if controlled:
            copy_id = copies.issue_controlled_copy(session, actor, version.id, holder).id
        pdf, _name = copies.print_copy(
            session,
            store,
            actor,
            version.id,
            controlled_copy_id=copy_id,
            page_size=page_size,
        )
        session.commit()
    output.write_bytes(pdf)
    click.echo(f"{output} ({len(pdf)} bytes)")
