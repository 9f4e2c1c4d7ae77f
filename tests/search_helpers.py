"""The index as the tests read it, whichever backend the app is configured with."""

from __future__ import annotations

from typing import Any

from flask import Flask
from whoosh import query as q

from qms.search.analysis import ANALYZER
from qms.search.backend_of import search_backend
from qms.search.sources import key_of


def found(app: Flask, word: str, field: str = "content") -> list[str]:
    """The keys of the entries whose `field` (a text field: content, title, process) holds
    `word` (as the analyzer reads it), straight from the index."""
    terms: list[q.Query] = [q.Term(field, token.text) for token in ANALYZER(word)]
    if not terms:
        return []
    query = terms[0] if len(terms) == 1 else q.And(terms)
    return sorted(hit["key"] for hit in search_backend(app).search(query, limit=10_000))


def stored(app: Flask, kind: str, object_id: int) -> dict[str, Any] | None:
    """The stored fields of one entry, None when the index does not hold it."""
    key = key_of(kind, object_id)
    return search_backend(app).stored([key]).get(key)
