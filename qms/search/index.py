"""The Whoosh index of everything an auditor searches: schema, opening, (re)indexing.

Each entry is one document version or one record (a nonconformity, a finding…), keyed
`kind:id`; what each kind puts in it is its source's business (`qms.search.sources`). The
database stays the authority: the index only finds candidates, and every hit is checked against
the reader's visibility before it is shown. How text becomes terms is in
`qms.search.analysis`; how a typed search becomes a query, in `qms.search.query`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from qms.search.analysis import ANALYZER, NAME_ANALYZER
from qms.search.sources import BY_KIND, SOURCES

SCHEMA = Schema(
    key=ID(stored=True, unique=True),  # kind:id
    kind=ID(stored=True),
    object_id=NUMERIC(stored=True),
    document_id=NUMERIC(stored=True),  # versions: their document; records: 0
    document=ID(),  # the document id as a term, for the visibility filter
    shown_code=STORED(),
    code=KEYWORD(lowercase=True, scorable=True, field_boost=3.0),
    title=TEXT(stored=True, analyzer=ANALYZER, field_boost=2.0),
    process=TEXT(stored=True, analyzer=ANALYZER),
    process_code=KEYWORD(lowercase=True),
    type_key=KEYWORD(lowercase=True),
    type_name=TEXT(analyzer=ANALYZER),
    content=TEXT(stored=True, analyzer=ANALYZER),
    clauses=KEYWORD(),
    people=TEXT(analyzer=NAME_ANALYZER),
    year=KEYWORD(),
    number=STORED(),
    state=KEYWORD(stored=True),  # the stored state, and `open` for a record not ended
    digest=STORED(),  # of the entry's fields, for `qms search reconcile` to find stale ones
)


def entry_digest(fields: Mapping[str, object]) -> str:
    """A hash of what an entry holds: equal digests, equal entries."""
    values = {name: value for name, value in fields.items() if name != "digest"}
    encoded = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def schema_is_current(ix: whoosh_index.Index) -> bool:
    """False for an index written by an older release: it is rebuilt from the database."""
    return sorted(ix.schema.names()) == sorted(SCHEMA.names())


def open_index(path: Path) -> whoosh_index.Index:
    """The index at path, created empty the first time."""
    path.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(path)):
        return whoosh_index.open_dir(str(path))
    return whoosh_index.create_in(str(path), SCHEMA)


def rebuild(session: Session, path: Path, progress: object = None) -> int:
    """A new index at `path` holding every entry of every kind; returns how many.

    `progress`, when given, is called with (done, total) as the work advances."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), SCHEMA)
    work = [(source.kind, list(session.scalars(source.ids()))) for source in SOURCES]
    total, done = sum(len(ids) for _, ids in work), 0
    writer = ix.writer()
    for kind, ids in work:
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            for fields in BY_KIND[kind].entries(session, batch).values():
                writer.add_document(**fields, digest=entry_digest(fields))
            done += len(batch)
            if callable(progress):
                progress(done, total)
    writer.commit(optimize=True)
    return total
