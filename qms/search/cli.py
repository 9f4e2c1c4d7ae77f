"""`qms search reindex`: rebuild the index from the database (after a restore or an upgrade)."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from qms.core.db import db
from qms.search.index import rebuild


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
