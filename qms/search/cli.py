"""`qms search reindex` rebuilds the index from the database (after a restore or an upgrade);
`qms search query TEXT --as USERNAME [--json]` searches as that user would."""

from __future__ import annotations

import time
from datetime import datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qms.api.models.search import SearchResults
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.search.hooks import search_index
from qms.search.index import rebuild
from qms.search.results import search
from qms.users.models import User


@click.group("search")
def search_group() -> None:
    """The full-text search index."""


@search_group.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rebuild the search index of every document version from the database."""
    started = time.perf_counter()
    path = current_app.extensions["qms_settings"].search_index_path
    count = rebuild(db.session, path)
    current_app.extensions.pop("qms_search_index", None)  # reopen the new one on next use
    click.echo(f"{count} versions indexed in {time.perf_counter() - started:.1f} s ({path})")


@search_group.command("query")
@click.argument("text")
@click.option("--as", "username", required=True, help="Search as this user sees.")
@click.option("--json", "as_json", is_flag=True, help="The API's JSON instead of lines.")
@click.option("--any", "any_word", is_flag=True, help="Any of the words rather than all.")
@click.option("--history", is_flag=True, help="Include superseded and obsolete versions.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="In force on this day.")
@with_appcontext
def query_command(
    text: str,
    username: str,
    as_json: bool,
    any_word: bool,
    history: bool,
    on: datetime | None,
) -> None:
    """Search as USERNAME would on the search page (the same rules, for scripts)."""
    actor = db.session.scalar(sa.select(User).where(User.username == username))
    if actor is None or not actor.active:
        raise click.ClickException(f"no active user {username!r}")
    try:
        results = search(
            db.session,
            actor,
            search_index(current_app),
            text,
            any_word=any_word,
            history=history,
            in_force_on_day=on.date() if on is not None else None,
        )
    except ValidationFailed as error:
        raise click.ClickException(error.message) from None
    if as_json:
        click.echo(SearchResults.of(results).model_dump_json(indent=2))
        return
    for document in results.documents:
        versions = ", ".join(f"v{v.number} {v.state}" for v in document.versions)
        click.echo(f"{document.code}\t{document.title}\t{versions}")
    click.echo(f"{results.total} documents")
