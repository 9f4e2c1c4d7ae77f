"""The embedded backend: the entries in a Whoosh index (`qms.search.index.SCHEMA`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from whoosh import query as q
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
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
        # One commit never writes a key twice: Whoosh deletes the older copy only from
        # committed segments, so a second update in the same commit would leave two.
        with self.ix.writer(timeout=self.lock_wait_s) as writer:
            for fields in entries:
                values = {name: value for name, value in fields.items() if name != "digest"}
                writer.update_document(**values, digest=entry_digest(values))

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
            # A timer thread, not SIGALRM (searches run in gunicorn and server threads). The
            # filter wraps the time limit, not the other way round: TimeLimitCollector feeds
            # its child match by match and would bypass a FilterCollector inside it.
            timed = TimeLimitCollector(
                searcher.collector(limit=limit), timelimit=time_limit_s, use_alarm=False
            )
            collector = timed if filter is None else FilterCollector(timed, filter)
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
