"""What the index holds, one source per kind of thing an auditor asks about.

A source says, for its kind: which ids exist (for a rebuild and for reconciling), which of its
entries a trail event touches (an event on an audit touches its findings too), the index entry
of each id as the database has it now, the index filter for a reader (built from the
permissions, never from what was typed), and how its hits show: read from the database under
the model's own visibility predicate, which has the last word on every hit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh import query as q

from qms.search.analysis import clause_numbers, code_prefixes

# An index entry: field name → value, as `qms.search.index.SCHEMA` declares the fields.
Entry = dict[str, object]


# Record states that end a record's life; any other state of a record also reads as "open"
# (`estado:abierta` finds the open nonconformities, whatever step they are at).
ENDED = frozenset({"closed", "discarded", "cancelled", "rejected"})
OPEN = "open"


def key_of(kind: str, object_id: int) -> str:
    """The unique key of one entry: `nonconformity:12`, `version:7`."""
    return f"{kind}:{object_id}"


def entry(
    kind: str,
    object_id: int,
    *,
    code: str,
    title: str,
    content: str,
    state: str,
    year: int | None,
    process: str = "",
    process_code: str = "",
    type_key: str = "",
    type_name: str = "",
    clauses: Iterable[str] = (),
    people: Iterable[str | None] = (),
    document_id: int = 0,
    number: int = 0,
    closes: bool = True,
) -> Entry:
    """One entry with every field filled the same way whatever its kind. `closes`: the kind's
    records are open until they reach an ENDED state (not so for versions and findings)."""
    cited = [*map(str, clauses), *clause_numbers(content), *clause_numbers(title)]
    return {
        "key": key_of(kind, object_id),
        "kind": kind,
        "object_id": object_id,
        "document_id": document_id,
        "document": str(document_id) if document_id else "",
        "shown_code": code,
        "code": " ".join(code_prefixes(code)) if code else "",
        "title": title,
        "process": process,
        "process_code": process_code,
        "type_key": type_key,
        "type_name": type_name,
        "content": content,
        "clauses": " ".join(dict.fromkeys(cited)),
        "people": "\n".join(sorted({name for name in people if name})),
        "year": str(year) if year else "",
        "number": number,
        # A record with a life that ends also says whether it is still open.
        "state": f"{state} {OPEN}" if closes and state not in ENDED else state,
    }


@dataclass(frozen=True)
class Shown:
    """How a hit of a record (anything but a document version) shows, read from the database."""

    kind: str
    object_id: int
    code: str
    title: str
    state: str  # the stored value
    state_label: str  # as a reader reads it, translated
    process: str
    process_code: str
    day: date | None  # the date it is sorted by (reported, received, planned, effective)
    endpoint: str  # its page: url_for(endpoint, **url_args)
    url_args: Mapping[str, Any]


class Source(Protocol):
    kind: ClassVar[str]  # the `kind` field's value and the facet's
    object_types: ClassVar[frozenset[str]]  # trail object types whose events may touch it
    # What people type after `clase:` (accents folded); the first is the facet's filter value.
    aliases: ClassVar[tuple[str, ...]]

    def label(self) -> str:
        """The kind's name for a reader ("Nonconformity"), translated."""
        ...

    def ids(self) -> sa.Select[Any]:
        """Every id of this kind, for a rebuild or a reconcile."""
        ...

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        """Ids of this kind whose entry an event on (object_type, object_ids) may change."""
        ...

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        """The entry of each id that still exists, as the database has it now."""
        ...

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        """None when the actor may see every entry of this kind; q.NullQuery when none; else a
        query letting through at least what the model's visibility predicate allows."""
        ...

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        """The ids the actor may see (the model's predicate), as they show. Unused by the
        versions source, whose hits are grouped per document by `qms.search.results`."""
        ...
