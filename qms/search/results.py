"""Search results as an auditor reads them: one hit per document, its matching versions folded
under it with the version in force first; by default only what is in force or on its way, with
a switch for superseded and obsolete versions; or, "in force on D", for each matching document
the version that was effective that day. Facets count the documents by process, type, state
and year. States and dates come from the database (the lifecycle), never from the index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session
from whoosh.index import Index

from qms.core.localtime import local_today
from qms.documents.in_force import in_force_on, state_on
from qms.documents.models import Document, DocumentType, DocumentVersion, VersionState
from qms.processes.models import Process
from qms.search.index import year_of
from qms.search.services import CANDIDATES, Hit, search_versions, snippet_for

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
    type_key: str
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


# Marking matches costs more than finding them: the first documents' versions get it.
MARKED_DOCUMENTS = 20
MARKED_PER_DOCUMENT = 2


@dataclass(frozen=True)
class _Row:
    """What decides how a version shows: a few columns, never its content."""

    id: int
    document_id: int
    state: str
    effective_from: date | None
    created_at: datetime


@dataclass(frozen=True)
class _Doc:
    code: str
    title: str
    process: str
    process_code: str
    type_key: str
    type_name: str


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
    hits = search_versions(session, actor, ix, text, any_word=any_word, limit=CANDIDATES, marked=0)
    if not hits:
        return Results([], 0, {})
    today = local_today()
    rows = _rows(session, [hit.version_id for hit in hits])
    document_ids = {row.document_id for row in rows.values()}
    replaced = _replaced(session, document_ids, today)
    states = {
        row.id: state_on(
            row.state, row.effective_from, replaced=row.document_id in replaced, on=today
        )
        for row in rows.values()
    }
    kept = _kept(session, hits, states, history=history, day=in_force_on_day)
    shown = min(limit, MARKED_DOCUMENTS)
    documents = _grouped(kept, rows, states, _documents(session, document_ids), shown)
    return Results(documents[:limit], len(documents), _facets(documents, rows))


def _rows(session: Session, ids: list[int]) -> dict[int, _Row]:
    stmt = sa.select(
        DocumentVersion.id,
        DocumentVersion.document_id,
        DocumentVersion.state,
        DocumentVersion.effective_from,
        DocumentVersion.created_at,
    ).where(DocumentVersion.id.in_(ids))
    return {row.id: _Row(*row) for row in session.execute(stmt)}


def _replaced(session: Session, document_ids: set[int], today: date) -> set[int]:
    """Documents with an approved version due today: their recorded effective one reads as
    superseded (the rule of qms.documents.in_force, fed plain values)."""
    stmt = sa.select(DocumentVersion.document_id).where(
        DocumentVersion.document_id.in_(document_ids),
        DocumentVersion.state == S.APPROVED,
        DocumentVersion.effective_from <= today,
    )
    return set(session.scalars(stmt))


def _documents(session: Session, ids: set[int]) -> dict[int, _Doc]:
    stmt = (
        sa.select(
            Document.id,
            Document.code,
            Document.title,
            Process.name,
            Process.code,
            DocumentType.key,
            DocumentType.name,
        )
        .join(Process, Process.id == Document.process_id)
        .join(DocumentType, DocumentType.id == Document.type_id)
        .where(Document.id.in_(ids))
    )
    return {row[0]: _Doc(*row[1:]) for row in session.execute(stmt)}


def _kept(
    session: Session,
    hits: list[Hit],
    states: dict[int, VersionState],
    *,
    history: bool,
    day: date | None,
) -> list[Hit]:
    if day is not None:
        chosen = set(in_force_on(session, {hit.document_id for hit in hits}, day).values())
        return [hit for hit in hits if hit.version_id in chosen]
    if history:
        return hits
    return [hit for hit in hits if states[hit.version_id] not in HISTORY]


def _grouped(
    hits: list[Hit],
    rows: dict[int, _Row],
    states: dict[int, VersionState],
    documents: dict[int, _Doc],
    shown: int,
) -> list[DocumentHit]:
    """Documents in the order of their best hit; in each, the version in force first, then the
    others newest first. The first `shown` documents get their matches marked."""
    order: dict[int, list[Hit]] = {}
    for hit in hits:  # best first, as the index ranked them
        order.setdefault(hit.document_id, []).append(hit)
    grouped = []
    for position, (document_id, document_hits) in enumerate(order.items()):
        document_hits.sort(key=lambda h: (states[h.version_id] != S.EFFECTIVE, -h.number))
        rows_shown = [
            VersionHit(
                version_id=hit.version_id,
                number=hit.number,
                state=str(states[hit.version_id]),
                effective_from=rows[hit.version_id].effective_from,
                snippet=(
                    snippet_for(hit.content, hit.terms)
                    if position < shown and index < MARKED_PER_DOCUMENT
                    else hit.snippet
                ),
            )
            for index, hit in enumerate(document_hits)
        ]
        document = documents[document_id]
        grouped.append(
            DocumentHit(
                document_id=document_id,
                code=document.code,
                title=document.title,
                process=document.process,
                process_code=document.process_code,
                type_name=document.type_name,
                type_key=document.type_key,
                versions=rows_shown,
            )
        )
    return grouped


def _facets(documents: list[DocumentHit], rows: dict[int, _Row]) -> dict[str, list[Facet]]:
    """Counts of documents, by what their first version says; most frequent first."""
    counters: dict[str, Counter[tuple[str, str]]] = {name: Counter() for name in FACETS}
    for document in documents:
        head = rows[document.head.version_id]
        year = str(year_of(head.effective_from, head.created_at))
        counters["kind"][("document", "document")] += 1
        counters["process"][(document.process_code, document.process)] += 1
        counters["type"][(document.type_key, document.type_name)] += 1
        counters["state"][(document.head.state, document.head.state)] += 1
        counters["year"][(year, year)] += 1
    return {
        name: [
            Facet(value, label, count)
            for (value, label), count in sorted(counter.items(), key=lambda i: (-i[1], i[0]))
        ]
        for name, counter in counters.items()
    }
