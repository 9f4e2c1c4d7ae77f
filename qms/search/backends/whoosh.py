"""The embedded backend: the entries in a Whoosh index (`qms.search.index.SCHEMA`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from whoosh import query as q
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.index import Index

from qms.search.backends import STORED
from qms.search.index import entry_digest

log = logging.getLogger(__name__)


class WhooshBackend:
    """A `SearchBackend` over a Whoosh index."""

    def __init__(self, ix: Index, lock_wait_s: float = 0.0) -> None:
        self.ix = ix
        # How long a write waits for Whoosh's own lock of the index before a LockError.
        self.lock_wait_s = lock_wait_s

    def update(self, entries: Iterable[dict[str, Any]]) -> None:
        """Entries already held with the same digest are left alone: every write adds a
        segment and leaves a deleted copy behind, and those slow every search until merged
        (a rebuild's catch-up re-applies thousands of unchanged entries)."""
        fresh = {}
        for fields in entries:
            values = {name: value for name, value in fields.items() if name != "digest"}
            fresh[values["key"]] = {**values, "digest": entry_digest(values)}
        held = self.stored(fresh)
        changed = [
            fields
            for key, fields in fresh.items()
            if held.get(key, {}).get("digest") != fields["digest"]
        ]
        if not changed:
            return
        # One commit never writes a key twice (`fresh` is by key): Whoosh deletes the older
        # copy only from committed segments, so a second update in one commit would leave two.
        with self.ix.writer(timeout=self.lock_wait_s) as writer:
            for fields in changed:
                writer.update_document(**fields)

    def remove(self, keys: Iterable[str]) -> None:
        with self.ix.writer(timeout=self.lock_wait_s) as writer:
            for key in keys:
                writer.delete_by_term("key", key)

    def keys(self) -> set[str]:
        """From the key terms only: no stored fields read. A segment's lexicon still lists the
        keys of its deleted entries (updated or removed) until it is merged: those are checked."""
        found: set[str] = set()
        with self.ix.searcher() as searcher:
            for reader, _offset in searcher.reader().leaf_readers():
                deleted = reader.has_deletions()
                for term in reader.lexicon("key"):
                    key = term.decode("utf-8") if isinstance(term, bytes) else term
                    if deleted and not reader.postings("key", key).is_active():
                        continue
                    found.add(key)
        return found

    def stored(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        with self.ix.searcher() as searcher:
            for key in keys:
                fields = searcher.document(key=key)
                if fields is not None:
                    found[key] = _shown(fields)
        return found

    def search(
        self,
        query: q.Query,
        filter: q.Query | None = None,
        *,
        limit: int = 500,
        time_limit_s: float = 2.0,
    ) -> list[dict[str, Any]]:
        if query is q.NullQuery or filter is q.NullQuery:
            return []
        with self.ix.searcher() as searcher:
            # A timer thread, not SIGALRM (searches run in gunicorn and server threads);
            # without block-quality skipping, on which Whoosh's RequireMatcher trips an
            # assertion in IntersectionMatcher.
            collector = TimeLimitCollector(
                searcher.collector(limit=limit, optimize=False),
                timelimit=time_limit_s,
                use_alarm=False,
            )
            if filter is not None:
                # Matched alongside the query, led by its rarest term, never scored: a
                # FilterCollector would first list every entry the filter lets through.
                query = q.Require(query, filter)
            try:
                searcher.search_with_collector(query, collector)
            except TimeLimit:
                log.warning("search stopped at its time limit: %r", query)
            return [_shown(dict(hit)) for hit in collector.results()]

    def count(self, query: q.Query, filter: q.Query | None = None) -> int:
        if query is q.NullQuery or filter is q.NullQuery:
            return 0
        with self.ix.searcher() as searcher:
            return len(searcher.search(query, filter=filter, limit=None, scored=False))


def _shown(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: fields.get(name) for name in STORED}
