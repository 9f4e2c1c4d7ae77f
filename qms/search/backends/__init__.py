"""Where index entries live and how a parsed search runs on them: one interface, two backends.

`WhooshBackend` (`qms.search.backends.whoosh`) is the embedded default, a Whoosh index in a
directory. `PostgresBackend` (`qms.search.backends.postgres`) keeps the entries in the
`search_entries` table of a PostgreSQL database, for large installations. Both take the same
entries (`qms.search.sources.base.entry`) and the same queries (`qms.search.query.parse`, and
`qms.search.visibility.index_filter` as the filter), and find the same entries: the tests index
one set in both and compare. Facets, dates and the database's own visibility stay with the
caller, which reads its hits from the database anyway.

This package imports neither backend, so that `qms.models` may import the table's model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from whoosh import query as q

# What a hit gives back: the stored fields an entry is shown by.
STORED = (
    "key",
    "kind",
    "object_id",
    "document_id",
    "shown_code",
    "title",
    "process",
    "content",
    "number",
    "state",
    "digest",
)


class UnsupportedQuery(ValueError):
    """A query node the backend does not translate (the parser never makes one)."""


class SearchBackend(Protocol):
    def update(self, entries: Iterable[dict[str, Any]]) -> None:
        """Insert each entry, or replace the one with its key."""
        ...

    def remove(self, keys: Iterable[str]) -> None:
        """Remove the entries with these keys; unknown keys are ignored."""
        ...

    def keys(self) -> set[str]:
        """The key of every entry held."""
        ...

    def stored(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored fields (STORED) of the entries held among `keys`, by key."""
        ...

    def search(
        self,
        query: q.Query,
        filter: q.Query | None = None,
        *,
        limit: int = 500,
        time_limit_s: float = 2.0,
    ) -> list[dict[str, Any]]:
        """The stored fields of the best `limit` entries matching `query` and `filter`, best
        first. Past the time limit, what was found so far (Whoosh) or nothing (PostgreSQL)."""
        ...

    def count(self, query: q.Query, filter: q.Query | None = None) -> int:
        """How many entries match `query` and `filter`."""
        ...
