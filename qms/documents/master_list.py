"""Listado maestro de documentos: one row per document, over what the reader may see.

A row describes the document's current version: the one in force; else the version on its
way (draft, in review, in approval, approved); else, for a withdrawn document, the obsolete
one. The same rows feed the page, the XLSX and CSV exports and `qms documents list`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, aliased

from qms.core.localtime import local_date, local_today
from qms.core.permissions import Permission, require
from qms.documents.in_force import shown_state_expr
from qms.documents.models import (
    OPEN_STATES,
    Document,
    DocumentType,
    DocumentVersion,
    Origin,
    Signature,
    SignatureMeaning,
    VersionState,
)
from qms.documents.queries import add_months, version_visibility
from qms.documents.state_labels import VERSION_STATE_LABELS
from qms.processes.models import Process
from qms.users.models import User

S = VersionState

# Which version a row describes when a document has several: lower wins.
_PRIORITY = {S.EFFECTIVE: 0, **dict.fromkeys(OPEN_STATES, 1), S.OBSOLETE: 2}

# The states a master-list row can show, in the order of the filter; words from the one map.
STATE_LABELS = {
    s: VERSION_STATE_LABELS[s]
    for s in (S.EFFECTIVE, S.DRAFT, S.IN_REVIEW, S.IN_APPROVAL, S.APPROVED, S.OBSOLETE)
}
STATES = tuple(STATE_LABELS)

ORIGIN_LABELS = {Origin.INTERNAL: _l("Internal"), Origin.EXTERNAL: _l("External")}

# (key, column heading), in the order of the page and the exports.
COLUMNS = (
    ("code", _l("Code")),
    ("title", _l("Title")),
    ("type", _l("Type")),
    ("process", _l("Process")),
    ("version", _l("Version")),
    ("effective_from", _l("Effective from")),
    ("owner", _l("Owner")),
    ("next_review_on", _l("Next review")),
    ("state", _l("State")),
    # Documents of external origin: the edition in use and when to check for a newer one.
    ("edition", _l("Edition")),
    ("next_verification_on", _l("Next verification")),
)
SORT_KEYS = tuple(key for key, _label in COLUMNS)
# The exports carry what an auditor asks of the register besides: where each document comes
# from, how long its records are kept and who approved the version, when.
EXPORT_COLUMNS = (
    *COLUMNS,
    ("origin", _l("Origin")),
    ("source", _l("Source")),
    ("retention_years", _l("Retention (years)")),
    ("approved_by", _l("Approved by")),
    ("approved_on", _l("Approved on")),
)


@dataclass(frozen=True)
class MasterListRow:
    document_id: int
    code: str
    title: str
    type_key: str
    type_name: str
    process_code: str
    process_name: str
    version: int
    effective_from: date | None
    owner: str
    next_review_on: date | None
    state: str
    origin: str = Origin.INTERNAL
    source: str = ""  # external: who issues it
    edition: str = ""  # external: the edition in use
    next_verification_on: date | None = None  # external: when to check for a newer edition
    retention_years: int | None = None
    approved_by: str = ""  # the approver(s) of this version, as printed when signing
    approved_on: date | None = None  # the day (organisation's zone) of the last approval

    @property
    def is_external(self) -> bool:
        return self.origin == Origin.EXTERNAL

    def verification_overdue(self, today: date) -> bool:
        """An external document in use whose check for a newer edition is past due."""
        return (
            self.is_external
            and self.state != S.OBSOLETE
            and self.next_verification_on is not None
            and self.next_verification_on < today
        )

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_LABELS.get(Origin(self.origin), self.origin))

    @property
    def process(self) -> str:
        return f"{self.process_code} – {self.process_name}"

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS.get(S(self.state), self.state))

    def cells(self) -> tuple[Any, ...]:
        """The values under COLUMNS, as shown (dates stay dates)."""
        return (
            self.code,
            self.title,
            self.type_name,
            self.process,
            self.version,
            self.effective_from,
            self.owner,
            self.next_review_on,
            self.state_label,
            self.edition,
            self.next_verification_on,
        )

    def export_cells(self) -> tuple[Any, ...]:
        """The values under EXPORT_COLUMNS."""
        return (
            *self.cells(),
            self.origin_label,
            self.source,
            self.retention_years,
            self.approved_by,
            self.approved_on,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "type": self.type_key,
            "process": self.process_code,
            "version": self.version,
            "effective_from": _iso(self.effective_from),
            "owner": self.owner,
            "next_review_on": _iso(self.next_review_on),
            "state": self.state,
        }


@dataclass(frozen=True)
class MasterListFilter:
    process: str = ""  # process code
    type: str = ""  # document type key
    state: str = ""
    text: str = ""  # in code or title; accents and case ignored
    sort: str = "code"
    descending: bool = False


@dataclass(frozen=True)
class DueReview:
    row: MasterListRow
    days_overdue: int  # negative: due in that many days


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Atención" and "atencion" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def build_master_list(
    session: Session,
    actor: Any,
    filters: MasterListFilter | None = None,
    *,
    unrestricted: bool = False,
) -> list[MasterListRow]:
    """The rows `actor` may see, filtered and sorted; `unrestricted` is the operator's view
    (the command line), as one holding document:read_all."""
    f = filters or MasterListFilter()
    if not unrestricted:
        require(actor, Permission.DOCUMENT_READ)
    rows = _rows(session, actor, f, unrestricted)
    if f.state:
        rows = [r for r in rows if r.state == f.state]
    if f.text.strip():
        needle = fold(f.text.strip())
        rows = [r for r in rows if needle in fold(r.code) or needle in fold(r.title)]
    return sort_rows(rows, f.sort, descending=f.descending)


def _rows(
    session: Session, actor: Any, f: MasterListFilter, unrestricted: bool
) -> list[MasterListRow]:
    owner = aliased(User)
    state = shown_state_expr()  # today's, whether or not the tick has recorded it
    stmt = (
        sa.select(
            DocumentVersion.id.label("version_id"),
            DocumentVersion.number,
            state.label("state"),
            DocumentVersion.effective_from,
            Document.id.label("document_id"),
            Document.code,
            Document.title,
            Document.review_interval_months,
            Document.origin,
            Document.external_source,
            Document.external_edition,
            Document.next_verification_on,
            Document.retention_years,
            DocumentType.key.label("type_key"),
            DocumentType.name.label("type_name"),
            Process.code.label("process_code"),
            Process.name.label("process_name"),
            owner.full_name.label("owner"),
        )
        .select_from(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .join(DocumentType, DocumentType.id == Document.type_id)
        .join(Process, Process.id == Document.process_id)
        .join(owner, owner.id == Document.owner_id)
        .where(state.in_([s.value for s in _PRIORITY]))
    )
    if not unrestricted:
        stmt = stmt.where(version_visibility(actor, session))
    if f.process:
        stmt = stmt.where(Process.code == f.process.upper())
    if f.type:
        stmt = stmt.where(DocumentType.key == f.type)
    best: dict[int, Any] = {}
    for found in session.execute(stmt):
        kept = best.get(found.document_id)
        if kept is None or _rank(found) < _rank(kept):
            best[found.document_id] = found
    in_force = [r.version_id for r in best.values() if r.state == S.EFFECTIVE]
    last_reviews = _last_periodic_reviews(session, in_force)
    approvals = _approvals(session, [r.version_id for r in best.values()])
    return [
        _row(r, last_reviews.get(r.version_id), approvals.get(r.version_id)) for r in best.values()
    ]


def _rank(found: Any) -> tuple[int, int]:
    # Among obsolete versions (not expected, but possible) the newest describes the document.
    return (_PRIORITY[S(found.state)], -found.number)


def _row(
    found: Any, last_review: date | None, approval: tuple[str, date] | None = None
) -> MasterListRow:
    """Next review as queries.next_review_on: the later of the effective date and the last
    "reviewed, no change", plus the document's interval; only for a version in force."""
    next_review = None
    if found.state == S.EFFECTIVE and found.effective_from is not None:
        start = max(found.effective_from, last_review or found.effective_from)
        next_review = add_months(start, found.review_interval_months)
    return MasterListRow(
        document_id=found.document_id,
        code=found.code,
        title=found.title,
        type_key=found.type_key,
        type_name=found.type_name,
        process_code=found.process_code,
        process_name=found.process_name,
        version=found.number,
        effective_from=found.effective_from,
        owner=found.owner,
        next_review_on=next_review,
        state=found.state,
        origin=found.origin,
        source=found.external_source or "",
        edition=found.external_edition or "",
        next_verification_on=found.next_verification_on,
        retention_years=found.retention_years,
        approved_by=approval[0] if approval else "",
        approved_on=approval[1] if approval else None,
    )


def _approvals(session: Session, version_ids: list[int]) -> dict[int, tuple[str, date]]:
    """Per version, who approved it (names as printed when signing, in signing order) and the
    day of the last approval signature; only the last round counts (an earlier round ended in
    a rejection, its approvals did not release the version)."""
    signed: dict[int, list[tuple[int, str, date]]] = {}
    for start in range(0, len(version_ids), 500):  # keep the IN list bounded
        stmt = (
            sa.select(
                Signature.version_id, Signature.round, Signature.printed_name, Signature.signed_at
            )
            .where(
                Signature.version_id.in_(version_ids[start : start + 500]),
                Signature.meaning == SignatureMeaning.APPROVED,
            )
            .order_by(Signature.signed_at, Signature.id)
        )
        for version_id, round_, name, signed_at in session.execute(stmt):
            signed.setdefault(version_id, []).append((round_, name, _as_date(signed_at)))
    found = {}
    for version_id, rows in signed.items():
        last = max(r for r, _name, _day in rows)
        kept = [(name, day) for r, name, day in rows if r == last]
        names = list(dict.fromkeys(name for name, _day in kept))
        found[version_id] = (", ".join(names), kept[-1][1])
    return found


def _last_periodic_reviews(session: Session, version_ids: list[int]) -> dict[int, date]:
    """Per version in force, the day of its last "reviewed, no change" (as next_review_on)."""
    found: dict[int, date] = {}
    for start in range(0, len(version_ids), 500):  # keep the IN list bounded
        chunk = version_ids[start : start + 500]
        stmt = (
            sa.select(Signature.version_id, sa.func.max(Signature.signed_at))
            .where(
                Signature.version_id.in_(chunk),
                Signature.meaning == SignatureMeaning.PERIODIC_REVIEW,
            )
            .group_by(Signature.version_id)
        )
        for version_id, signed_at in session.execute(stmt):
            if signed_at is not None:
                found[version_id] = _as_date(signed_at)
    return found


def _as_date(value: Any) -> date:
    # max() keeps the column's UTC type; plain text is only a fallback for raw SQLite values.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # The day it was signed where the organisation is, not the UTC day (a day ahead at night).
    return local_date(value)


_SORT: dict[str, Callable[[MasterListRow], Any]] = {
    "code": lambda r: fold(r.code),
    "title": lambda r: fold(r.title),
    "type": lambda r: fold(r.type_name),
    "process": lambda r: fold(r.process),
    "version": lambda r: r.version,
    "effective_from": lambda r: r.effective_from,
    "owner": lambda r: fold(r.owner),
    "next_review_on": lambda r: r.next_review_on,
    "state": lambda r: fold(r.state_label),
    "edition": lambda r: fold(r.edition) or None,
    "next_verification_on": lambda r: r.next_verification_on,
}


def sort_rows(
    rows: Iterable[MasterListRow], key: str, *, descending: bool = False
) -> list[MasterListRow]:
    """Sorted by `key` (ties by code); rows without a value (no date) come last either way."""
    by_code = sorted(rows, key=lambda r: fold(r.code))
    value = _SORT.get(key, _SORT["code"])
    present = [r for r in by_code if value(r) is not None]
    missing = [r for r in by_code if value(r) is None]
    return sorted(present, key=value, reverse=descending) + missing


def list_reviews_due(
    session: Session,
    actor: Any,
    *,
    within_days: int = 0,
    on: date | None = None,
    process: str = "",
    owned_only: bool = False,
) -> list[DueReview]:
    """Documents in force whose periodic review falls on or before `on` + `within_days`,
    most overdue first. `owned_only`: the documents the actor owns or whose process they
    lead or belong to."""
    rows = build_master_list(session, actor, MasterListFilter(process=process, state=S.EFFECTIVE))
    if owned_only:
        rows = _owned(session, actor, rows)
    return _due(rows, lambda r: r.next_review_on, on or local_today(), within_days)


def list_verifications_due(
    session: Session,
    actor: Any,
    *,
    within_days: int = 0,
    on: date | None = None,
    process: str = "",
    owned_only: bool = False,
) -> list[DueReview]:
    """Documents of external origin still in use (not obsolete) whose next verification (is
    there a newer edition?) falls on or before `on` + `within_days`, most overdue first."""
    rows = build_master_list(session, actor, MasterListFilter(process=process))
    rows = [r for r in rows if r.is_external and r.state != S.OBSOLETE]
    if owned_only:
        rows = _owned(session, actor, rows)
    return _due(rows, lambda r: r.next_verification_on, on or local_today(), within_days)


def _owned(session: Session, actor: Any, rows: list[MasterListRow]) -> list[MasterListRow]:
    mine = set(session.scalars(sa.select(Document.id).where(Document.owned_by_clause(actor.id))))
    return [r for r in rows if r.document_id in mine]


def _due(
    rows: list[MasterListRow],
    due_on: Callable[[MasterListRow], date | None],
    today: date,
    within_days: int,
) -> list[DueReview]:
    due = []
    for row in rows:
        day = due_on(row)
        if day is not None and (day - today).days <= within_days:
            due.append(DueReview(row=row, days_overdue=(today - day).days))
    return sorted(due, key=lambda d: (-d.days_overdue, fold(d.row.code)))
