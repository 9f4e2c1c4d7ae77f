"""Search results as an auditor reads them: one hit per document, its matching versions folded
under it with the version in force first; by default only what is in force or on its way, with
a switch for superseded and obsolete versions; or, "in force on D", for each matching document
the version that was effective that day. Facets count the documents by process, type, state
and year. States and dates come from the database (the lifecycle), never from the index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session, defer, selectinload
from whoosh.index import Index

from qms.documents.in_force import in_force_on, shown_state
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.search.index import version_year
from qms.search.services import CANDIDATES, Hit, search_versions

S = VersionState
# Hidden unless asked for: versions no longer in force (and drafts thrown away).
HISTORY = (S.SUPERSEDED, S.OBSOLETE, S.DISCARDED)
FACETS = ("kind", "process", "type", "state", "year")


@dataclass(frozen=True)
class VersionHit:
    version_id: int
    number: int
    state: str  # as it reads today
    effective_from: date | None
    snippet: Markup


@dataclass(frozen=True)
class DocumentHit:
    document_id: int
    code: str
    title: str
    process: str
    process_code: str
    type_name: str
    versions: list[VersionHit]  # the version in force (or asked for) first

    @property
    def head(self) -> VersionHit:
        return self.versions[0]


@dataclass(frozen=True)
class Facet:
    value: str  # what a filter takes (`proceso:AC`)
    label: str  # what a reader sees (a process or type by its name)
    count: int


@dataclass(frozen=True)
class Results:
    documents: list[DocumentHit]
    total: int  # documents found, before the page limit
    facets: dict[str, list[Facet]] = field(default_factory=dict)


def search(
    session: Session,
    actor: Any,
    ix: Index,
    text: str,
    *,
    any_word: bool = False,
    history: bool = False,
    in_force_on_day: date | None = None,
    limit: int = 50,
) -> Results:
    """What `actor` may see that matches `text`, one entry per document (see the module)."""
    hits = search_versions(session, actor, ix, text, any_word=any_word, limit=CANDIDATES)
    if not hits:
        return Results([], 0, {})
    versions = _versions(session, [hit.version_id for hit in hits])
    kept = _kept(session, hits, versions, history=history, day=in_force_on_day)
    documents = _grouped(kept, versions)
    return Results(documents[:limit], len(documents), _facets(documents, versions))


def _versions(session: Session, ids: list[int]) -> dict[int, DocumentVersion]:
    stmt = (
        sa.select(DocumentVersion)
        .where(DocumentVersion.id.in_(ids))
        .options(
            # States and dates decide what shows; the content (large JSON) is not needed.
            defer(DocumentVersion.content),
            selectinload(DocumentVersion.document)
            .selectinload(Document.versions)
            .defer(DocumentVersion.content),
        )
    )
    return {version.id: version for version in session.scalars(stmt)}


def _kept(
    session: Session,
    hits: list[Hit],
    versions: dict[int, DocumentVersion],
    *,
    history: bool,
    day: date | None,
) -> list[Hit]:
    if day is not None:
        chosen = set(in_force_on(session, {hit.document_id for hit in hits}, day).values())
        return [hit for hit in hits if hit.version_id in chosen]
    if history:
        return hits
    return [hit for hit in hits if shown_state(versions[hit.version_id]) not in HISTORY]


def _grouped(hits: list[Hit], versions: dict[int, DocumentVersion]) -> list[DocumentHit]:
    """Documents in the order of their best hit; in each, the version in force first, then the
    others newest first."""
    order: dict[int, list[Hit]] = {}
    for hit in hits:  # best first, as the index ranked them
        order.setdefault(hit.document_id, []).append(hit)
    documents = []
    for document_id, document_hits in order.items():
        rows = [
            VersionHit(
                version_id=hit.version_id,
                number=hit.number,
                state=str(shown_state(versions[hit.version_id])),
                effective_from=versions[hit.version_id].effective_from,
                snippet=hit.snippet,
            )
            for hit in document_hits
        ]
        rows.sort(key=lambda row: (row.state != S.EFFECTIVE, -row.number))
        document = versions[document_hits[0].version_id].document
        documents.append(
            DocumentHit(
                document_id=document_id,
                code=document.code,
                title=document.title,
                process=document.process.name,
                process_code=document.process.code,
                type_name=document.type.name,
                versions=rows,
            )
        )
    return documents


def _facets(
    documents: list[DocumentHit], versions: dict[int, DocumentVersion]
) -> dict[str, list[Facet]]:
    """Counts of documents, by what their first version says; most frequent first."""
    counters: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name in FACETS}
    for document in documents:
        head = versions[document.head.version_id]
        year = str(version_year(head))
        counters["kind"][("document", "document")] += 1
        counters["process"][(document.process_code, document.process)] += 1
        counters["type"][(head.document.type.key, document.type_name)] += 1
        counters["state"][(document.head.state, document.head.state)] += 1
        counters["year"][(year, year)] += 1
    return {
        name: [
            Facet(value, label, count)
            for (value, label), count in sorted(counter.items(), key=lambda i: (-i[1], i[0]))
        ]
        for name, counter in counters.items()
    }
