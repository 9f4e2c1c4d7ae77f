"""`qms search rebuild` (alias `reindex`) builds a new index from the database and swaps it
in while searches go on; `qms search reconcile` reports and repairs drift between the index and
the database; `qms search query TEXT --as USERNAME [--json]` searches as that user would."""

from __future__ import annotations

import sys
import time
from datetime import datetime

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from qms.api.models.search import SearchResults
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.search import jobs
from qms.search.backend_of import search_backend
from qms.search.results import SORTS, DocumentHit, search
from qms.search.sources import BY_KIND, SOURCES
from qms.users.models import User


@click.group("search")
def search_group() -> None:
    """The full-text search index."""


def _rebuild() -> None:
    started = time.perf_counter()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.extensions["qms_settings"]
    where = settings.search_index_path
    if settings.search_backend == "postgres":
        where = "the search_entries table"
    total = sum(
        db.session.scalar(sa.select(sa.func.count()).select_from(source.ids().subquery())) or 0
        for source in SOURCES
    )
    # A bar only on a terminal: a script or cron reads the one summary line.
    with click.progressbar(
        length=total, label="Indexing", file=sys.stderr, hidden=not sys.stderr.isatty()
    ) as bar:
        seen = [0]

        def advance(done: int, _total: int) -> None:
            bar.update(done - seen[0])
            seen[0] = done

        count = jobs.rebuild_and_swap(app, advance)
    versions = db.session.scalar(
        sa.select(sa.func.count()).select_from(BY_KIND["version"].ids().subquery())
    )
    elapsed = time.perf_counter() - started
    click.echo(f"{versions} versions indexed ({count} entries in all) in {elapsed:.1f} s ({where})")


@search_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Build a new index from the database and swap it in; searches go on meanwhile."""
    _rebuild()


@search_group.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """The same as `rebuild` (its older name)."""
    _rebuild()


@search_group.command("reconcile")
@click.option("--dry-run", is_flag=True, help="Report the drift, repair nothing.")
@with_appcontext
def reconcile_command(dry_run: bool) -> None:
    """Compare every entry of the index with the database; repair what differs."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    drained = jobs.drain(app, retry=True)
    if drained.applied or drained.failed:
        click.echo(f"{drained.applied} pending job(s) applied, {drained.failed} failed")
    drift = jobs.reconcile(app, full=True, blocking=True, repair=not dry_run)
    assert drift is not None  # blocking: it waited for the lock
    found_by_label = {"missing": drift.missing, "stale": drift.stale, "extra": drift.extra}
    for label, found in found_by_label.items():
        for kind, ids in sorted(found.items()):
            shown = ", ".join(map(str, sorted(ids)[:20])) + (" …" if len(ids) > 20 else "")
            click.echo(f"{label} {kind}: {shown}")
    click.echo(drift.describe())


@search_group.command("query")
@click.argument("text")
@click.option("--as", "username", required=True, help="Search as this user sees.")
@click.option("--json", "as_json", is_flag=True, help="The API's JSON instead of lines.")
@click.option("--any", "any_word", is_flag=True, help="Any of the words rather than all.")
@click.option("--history", is_flag=True, help="Include superseded and obsolete versions.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="In force on this day.")
@click.option(
    "--sort", type=click.Choice(SORTS), default="relevance", help="By relevance or newest first."
)
@with_appcontext
def query_command(
    text: str,
    username: str,
    as_json: bool,
    any_word: bool,
    history: bool,
    on: datetime | None,
    sort: str,
) -> None:
    """Search as USERNAME would on the search page (the same rules, for scripts)."""
    actor = db.session.scalar(sa.select(User).where(User.username == username))
    if actor is None or not actor.active:
        raise click.ClickException(f"no active user {username!r}")
    # Links in the answer are built as the pages build them: relative to the site's root.
    with current_app.test_request_context("/"):
        try:
            results = search(
                db.session,
                actor,
                search_backend(current_app),
                text,
                any_word=any_word,
                history=history,
                in_force_on_day=on.date() if on is not None else None,
                sort=sort,
            )
        except ValidationFailed as error:
            raise click.ClickException(error.message) from None
        if as_json:
            click.echo(SearchResults.of(results).model_dump_json(indent=2))
            return
        for hit in results.hits:
            if isinstance(hit, DocumentHit):
                versions = ", ".join(f"v{v.number} {v.state}" for v in hit.versions)
                click.echo(f"{hit.code}\t{hit.title}\t{versions}")
            else:
                shown = hit.shown
                click.echo(f"{shown.code}\t{shown.title}\t{hit.kind} {shown.state}")
    click.echo(f"{results.total} hits")
