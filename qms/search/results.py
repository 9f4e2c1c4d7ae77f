"""Search results as an auditor reads them: one hit per document, its matching versions folded
under it with the version in force first, and one hit per record (nonconformity, finding…);
by default only versions in force or on their way, with a switch for superseded and obsolete
ones; or, "in force on D", for each matching document the version that was effective that day
(records are left out: the question is about documents). Ranked by relevance, or newest first.
Facets count the hits by kind, process, type, state and year. States and dates come from the
database (the lifecycle), never from the index.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import Session

from qms.core.errors import ValidationFailed
from qms.core.localtime import local_date, local_today
from qms.documents.in_force import in_force_on, state_on
from qms.documents.models import Document, DocumentType, DocumentVersion, VersionState
from qms.documents.sign_forms import STATE_LABELS as VERSION_STATE_LABELS
from qms.processes.models import Process
from qms.search.backends import SearchBackend
from qms.search.services import CANDIDATES, Hit, search_entries, snippet_for
from qms.search.sources import BY_KIND, Shown
from qms.search.sources.versions import KIND

S = VersionState
# Hidden unless asked for: versions no longer in force (and drafts thrown away).
HISTORY = (S.SUPERSEDED, S.OBSOLETE, S.DISCARDED)
FACETS = ("kind", "process", "type", "state", "year")
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class VersionHit:
    version_id: int
    number: int
    state: str  # as it reads today
    effective_from: date | None
    day: date  # the day it takes effect, else the day it was begun
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
    kind: str = KIND

    @property
    def head(self) -> VersionHit:
        return self.versions[0]

    @property
    def day(self) -> date:
        return self.head.day


@dataclass(frozen=True)
class RecordHit:
    """A nonconformity, a PQRS, an audit, a finding or a change request, as its page shows it."""

    kind: str
    kind_label: str
    shown: Shown
    snippet: Markup

    @property
    def day(self) -> date | None:
        return self.shown.day


@dataclass(frozen=True)
class Facet:
    value: str  # what a filter takes (`proceso:AC`)
    label: str  # what a reader sees (a process or type by its name)
    count: int


@dataclass(frozen=True)
class Results:
    hits: list[DocumentHit | RecordHit]  # in the order asked for
    total: int  # hits found, before the page limit
    facets: dict[str, list[Facet]] = field(default_factory=dict)

    @property
    def documents(self) -> list[DocumentHit]:
        return [hit for hit in self.hits if isinstance(hit, DocumentHit)]

    @property
    def records(self) -> list[RecordHit]:
        return [hit for hit in self.hits if isinstance(hit, RecordHit)]


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
    backend: SearchBackend,
    text: str,
    *,
    any_word: bool = False,
    history: bool = False,
    in_force_on_day: date | None = None,
    sort: str = "relevance",
    limit: int = 50,
) -> Results:
    """What `actor` may see that matches `text`, one entry per document or record (see the
    module); `sort` is "relevance" or "date" (newest first)."""
    if sort not in SORTS:
        raise ValidationFailed(str(_l("Sort by relevance or by date.")), field="sort")
    found = search_entries(
        session, actor, backend, text, any_word=any_word, limit=CANDIDATES, marked=0
    )
    ranked: list[tuple[int, DocumentHit | RecordHit]] = []
    versions = [(rank, hit) for rank, hit in enumerate(found) if hit.kind == KIND]
    if versions:
        ranked += _documents_found(session, versions, history, in_force_on_day, limit)
    if in_force_on_day is None:
        ranked += [
            (rank, _record(hit, marked=rank < MARKED_DOCUMENTS))
            for rank, hit in enumerate(found)
            if hit.kind != KIND
        ]
    if sort == "date":
        ranked.sort(key=lambda pair: pair[1].day or date.min, reverse=True)
    else:
        ranked.sort(key=lambda pair: pair[0])
    everything = [hit for _, hit in ranked]
    return Results(everything[:limit], len(everything), _facets(everything))


def _record(hit: Hit, *, marked: bool) -> RecordHit:
    return RecordHit(
        kind=hit.kind,
        kind_label=BY_KIND[hit.kind].label(),
        shown=hit.shown,
        snippet=snippet_for(hit.content, hit.terms) if marked else hit.snippet,
    )


def _documents_found(
    session: Session,
    versions: list[tuple[int, Hit]],
    history: bool,
    day: date | None,
    limit: int,
) -> list[tuple[int, DocumentHit]]:
    """The documents of the matching versions, each with the rank of its best version."""
    hits = [hit for _, hit in versions]
    rank_of = {hit.version_id: rank for rank, hit in versions}
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
    kept = _kept(session, hits, states, history=history, day=day)
    shown = min(limit, MARKED_DOCUMENTS)
    documents = _grouped(kept, rows, states, _documents(session, document_ids), shown)
    return [(min(rank_of[v.version_id] for v in d.versions), d) for d in documents]


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
                day=rows[hit.version_id].effective_from
                or local_date(rows[hit.version_id].created_at),
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


def _facets(hits: list[DocumentHit | RecordHit]) -> dict[str, list[Facet]]:
    """Counts of hits (a document by what its first version says); most frequent first.
    Counted by value, labelled once per value: translating per hit costs more than counting."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    labels: dict[str, dict[str, str]] = {name: {} for name in FACETS}
    for hit in hits:
        counters["kind"][hit.kind] += 1
        if isinstance(hit, DocumentHit):
            counters["process"][hit.process_code] += 1
            labels["process"][hit.process_code] = hit.process
            counters["type"][hit.type_key] += 1
            labels["type"][hit.type_key] = hit.type_name
            counters["state"][hit.head.state] += 1
        else:
            if hit.shown.process_code:
                counters["process"][hit.shown.process_code] += 1
                labels["process"][hit.shown.process_code] = hit.shown.process
            counters["state"][hit.shown.state] += 1
            labels["state"][hit.shown.state] = hit.shown.state_label
        if hit.day is not None:
            counters["year"][str(hit.day.year)] += 1
    for kind in counters["kind"]:
        labels["kind"][kind] = BY_KIND[kind].label()
    for state in counters["state"]:
        if state not in labels["state"]:  # a version's
            labels["state"][state] = str(VERSION_STATE_LABELS.get(S(state), state))
    # The kind facet filters by the kind's first alias (`clase:nc`).
    values = {"kind": {kind: BY_KIND[kind].aliases[0] for kind in counters["kind"]}}
    return {
        name: [
            Facet(values.get(name, {}).get(key, key), labels[name].get(key, key), count)
            for key, count in sorted(counter.items(), key=lambda i: (-i[1], i[0]))
        ]
        for name, counter in counters.items()
    }
