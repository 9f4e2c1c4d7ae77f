"""The Whoosh index of document versions: schema, opening, (re)indexing from the database.

The database stays the authority: the index only finds candidate versions, and every hit is
checked against the reader's visibility before it is shown. How text becomes terms is in
`qms.search.analysis`; how a typed search becomes a query, in `qms.search.query`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.writing import AsyncWriter

from qms.core.localtime import local_date
from qms.documents.models import Document, DocumentVersion
from qms.search.analysis import ANALYZER, NAME_ANALYZER, clause_numbers, code_prefixes
from qms.search.text import content_text


def year_of(effective_from: date | None, created_at: datetime) -> int:
    """The year a version belongs to: the year it takes effect, else the year it was begun."""
    return (effective_from or local_date(created_at)).year


SCHEMA = Schema(
    version_id=ID(stored=True, unique=True),
    document_id=NUMERIC(stored=True),
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
    state=ID(stored=True),
)


def schema_is_current(ix: whoosh_index.Index) -> bool:
    """False for an index written by an older release: it is rebuilt from the database."""
    return sorted(ix.schema.names()) == sorted(SCHEMA.names())


def open_index(path: Path) -> whoosh_index.Index:
    """The index at path, created empty the first time."""
    path.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(path)):
        return whoosh_index.open_dir(str(path))
    return whoosh_index.create_in(str(path), SCHEMA)


def _fields(version: DocumentVersion) -> dict[str, object]:
    document = version.document
    text = content_text(version.content or [])
    cited = [
        clause
        for block in version.content or []
        if block.get("kind") == "requirements"
        for clause in block.get("iso") or []
    ]
    people = {version.author.full_name, document.owner.full_name}
    people |= {signature.printed_name for signature in version.signatures}
    return {
        "version_id": str(version.id),
        "document_id": document.id,
        "document": str(document.id),
        "shown_code": document.code,
        "code": " ".join(code_prefixes(document.code)),
        "title": document.title,
        "process": document.process.name,
        "process_code": document.process.code,
        "type_key": document.type.key,
        "type_name": document.type.name,
        "content": text,
        "clauses": " ".join(dict.fromkeys([*map(str, cited), *clause_numbers(text)])),
        "people": "\n".join(sorted(name for name in people if name)),
        "year": str(year_of(version.effective_from, version.created_at)),
        "number": version.number,
        "state": str(version.state),
    }


def _load(session: Session, version_ids: Iterable[int]) -> list[DocumentVersion]:
    stmt = (
        sa.select(DocumentVersion)
        .where(DocumentVersion.id.in_(list(version_ids)))
        .options(
            selectinload(DocumentVersion.document).selectinload(Document.process),
            selectinload(DocumentVersion.signatures),
        )
    )
    return list(session.scalars(stmt))


def index_versions(session: Session, ix: whoosh_index.Index, version_ids: Iterable[int]) -> int:
    """(Re)index these versions as the database has them now; returns how many."""
    versions = _load(session, set(version_ids))
    if not versions:
        return 0
    # AsyncWriter waits for the lock in a thread when another worker is writing.
    writer = AsyncWriter(ix)
    for version in versions:
        writer.update_document(**_fields(version))
    writer.commit()
    return len(versions)


def rebuild(session: Session, path: Path) -> int:
    """A new index holding every version in the database; returns how many were indexed."""
    path.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(path), SCHEMA)
    ids = list(session.scalars(sa.select(DocumentVersion.id).order_by(DocumentVersion.id)))
    writer = ix.writer()
    for start in range(0, len(ids), 500):
        for version in _load(session, ids[start : start + 500]):
            writer.add_document(**_fields(version))
    writer.commit(optimize=True)
    return len(ids)
