"""The app's search backend, as QMS_SEARCH_BACKEND says: the Whoosh index of the current
generation (`qms.search.generations`), or the `search_entries` table of the app's PostgreSQL
database. Everything that searches or writes the index goes through `search_backend(app)`.

The first use in a process reconciles cheaply (keys only): what a crash or an older release
left behind is repaired before anyone misses it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from whoosh import index as whoosh_index
from whoosh.index import Index

from qms.search import generations, status
from qms.search.backends import SearchBackend
from qms.search.backends.postgres import PostgresBackend
from qms.search.backends.whoosh import WhooshBackend
from qms.search.index import SCHEMA, rebuild, schema_is_current
from qms.search.locks import holding

log = logging.getLogger(__name__)

# Whoosh's own lock of a generation is free whenever ours is held; waiting a little covers a
# writer of an older release still running beside this one during an upgrade.
WHOOSH_LOCK_WAIT_S = 1.0

IX = "qms_search_index"  # the open Index (tests pop it to force a reopen)
_IX_NAME = "qms_search_index_name"  # the generation it belongs to
_POSTGRES = "qms_search_postgres_backend"
STARTED = "qms_search_started"  # the first-use reconcile has run in this process


def search_backend(app: Flask) -> SearchBackend:
    """Where the app's search entries live, to search and to write."""
    if status.backend_name(app) == "postgres":
        backend: PostgresBackend | None = app.extensions.get(_POSTGRES)
        if backend is None:
            backend = PostgresBackend(app.extensions["qms_db"].engine)
            app.extensions[_POSTGRES] = backend
        if not app.extensions.get(STARTED) and not holding(app):
            reconcile_on_start(app)
        return backend
    return whoosh_backend(search_index(app))


def whoosh_backend(ix: Index) -> WhooshBackend:
    return WhooshBackend(ix, lock_wait_s=WHOOSH_LOCK_WAIT_S)


def search_index(app: Flask) -> Index:
    """The app's Whoosh index: the generation `current` names, reopened when a rebuild swaps
    it (one readlink per use), created or upgraded on first open."""
    root = status.root(app)
    name = generations.current_name(root)
    ix: Index | None = app.extensions.get(IX)
    if ix is not None and name is not None and app.extensions.get(_IX_NAME) == name:
        return ix
    ix, name = _open(app, root)
    app.extensions[IX], app.extensions[_IX_NAME] = ix, name
    # A drain opening the index reconciles once its jobs are applied, so that entries merely
    # waiting for their job do not read as missing.
    if not app.extensions.get(STARTED) and not holding(app):
        reconcile_on_start(app)
    return ix


def reconcile_on_start(app: Flask) -> None:
    from qms.search.reconciling import reconcile  # reconciling writes through this module

    app.extensions[STARTED] = True
    try:
        found = reconcile(app, full=False, blocking=False)
        if found is not None and found.total():
            log.warning("search index on start: %s", found.describe())
    except Exception:
        log.exception("search index reconcile on start failed")


def _open(app: Flask, root: Path) -> tuple[Index, str]:
    # Several worker processes open the index at once after a start or an upgrade: one
    # creates or rebuilds it while the others wait, then they all open the same one.
    with generations.open_lock(root):
        name = generations.current_name(root)
        if name is not None and whoosh_index.exists_in(str(root / name)):
            ix = whoosh_index.open_dir(str(root / name))
            if schema_is_current(ix):
                return ix, name
            upgrade = True  # written by an older release
        else:
            upgrade = generations.is_legacy(root)
        generation = generations.new_generation(root)
        if upgrade:
            # No process holds an index of an older schema open, so none writes to it while
            # this one is built: the database, read now, is the whole story.
            with status.factory(app)() as session:
                count = rebuild(session, generation)
            log.warning("search index rebuilt for the current schema: %d entries", count)
        else:
            whoosh_index.create_in(str(generation), SCHEMA)
        previous = generations.current_name(root)
        generations.swap(root, generation)
        generations.prune(root)
        if previous is None:
            generations.remove_legacy_files(root)
        return whoosh_index.open_dir(str(generation)), generation.name
