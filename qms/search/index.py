"""The Whoosh index of document versions: schema, opening, (re)indexing from the database.

The database stays the authority: the index only finds candidate versions, and every hit is
checked against the reader's visibility before it is shown. Accent folding and Spanish
stemming, so "atencion" finds "atención" and "quejas" finds "queja".
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map
from whoosh.writing import AsyncWriter

from qms.documents.models import Document, DocumentVersion
from qms.search.text import content_text

# Accents are folded before stemming: people type "atencion" and "peticion", and the Spanish
# stemmer treats folded words alike, so either spelling meets the other.
STOP_WORDS = frozenset(
    word.translate(str.maketrans("áéíóúü", "aeiouu")) for word in stopwords_for_language("es")
)
ANALYZER = (
    RegexTokenizer()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter(stoplist=STOP_WORDS, minsize=1)
    | StemFilter(lang="es")
)
CODE_ANALYZER = RegexTokenizer(r"[A-Za-z0-9]+") | CharsetFilter(accent_map)

SCHEMA = Schema(
    version_id=ID(stored=True, unique=True),
    document_id=NUMERIC(stored=True),
    code=TEXT(stored=True, analyzer=CODE_ANALYZER, field_boost=3.0),
    title=TEXT(stored=True, analyzer=ANALYZER, field_boost=2.0),
    process=TEXT(stored=True, analyzer=ANALYZER),
    content=TEXT(stored=True, analyzer=ANALYZER),
    number=STORED(),
    state=ID(stored=True),
)


def open_index(path: Path) -> whoosh_index.Index:
    """The index at path, created empty the first time."""
    path.mkdir(parents=True, exist_ok=True)
    if whoosh_index.exists_in(str(path)):
        return whoosh_index.open_dir(str(path))
    return whoosh_index.create_in(str(path), SCHEMA)


def _fields(version: DocumentVersion) -> dict[str, object]:
    document = version.document
    return {
        "version_id": str(version.id),
        "document_id": document.id,
        "code": document.code,
        "title": document.title,
        "process": document.process.name,
        "content": content_text(version.content or []),
        "number": version.number,
        "state": str(version.state),
    }


def _load(session: Session, version_ids: Iterable[int]) -> list[DocumentVersion]:
    stmt = (
        sa.select(DocumentVersion)
        .where(DocumentVersion.id.in_(list(version_ids)))
        .options(selectinload(DocumentVersion.document).selectinload(Document.process))
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
