"""What is in force today, derived by readers without writing anything.

An approved version takes effect on its `effective_from` day (the organisation's local date);
the tick (`qms tick`, the embedded scheduler) records that transition and the superseding of
the version it replaces. Readers never wait for it: a page, the public copy check, an export or
a list reads the state a version has *today* from the recorded state and the date. Writers that
depend on what is in force record due transitions first (`approval.apply_due_transitions`).

The rule is written here once, as SQL (`in_force_clause`) and as Python (`shown_state`), and a
test holds the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from qms.core.localtime import local_date, local_today
from qms.documents.models import DocumentVersion, VersionState

S = VersionState


def _due(version: DocumentVersion, on: date) -> bool:
    return (
        version.state == S.APPROVED
        and version.effective_from is not None
        and version.effective_from <= on
    )


def state_on(state: str, effective_from: date | None, *, replaced: bool, on: date) -> VersionState:
    """The rule itself, on plain values: `replaced` says whether an approved version of the
    same document is due on `on` (readers that load columns, not objects, pass it)."""
    if state == S.APPROVED and effective_from is not None and effective_from <= on:
        return S.EFFECTIVE
    if state == S.EFFECTIVE and replaced:
        return S.SUPERSEDED
    return S(state)


def shown_state(version: DocumentVersion, on: date | None = None) -> VersionState:
    """The state `version` has on `on` (default today), whether or not the tick has run."""
    on = on or local_today()
    replaced = version.state == S.EFFECTIVE and any(_due(v, on) for v in version.document.versions)
    return state_on(version.state, version.effective_from, replaced=replaced, on=on)


def is_in_force(version: DocumentVersion, on: date | None = None) -> bool:
    return shown_state(version, on) == S.EFFECTIVE


def in_force_clause(on: date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition on DocumentVersion: the version of its document in force on `on`."""
    on = on or local_today()
    later = aliased(DocumentVersion)
    due = sa.and_(DocumentVersion.state == S.APPROVED, DocumentVersion.effective_from <= on)
    replaced = (
        sa.exists()
        .where(
            later.document_id == DocumentVersion.document_id,
            later.state == S.APPROVED,
            later.effective_from <= on,
        )
        .correlate(DocumentVersion)
    )
    return sa.or_(due, sa.and_(DocumentVersion.state == S.EFFECTIVE, ~replaced))


def is_pending_clause(on: date | None = None) -> sa.ColumnElement[bool]:
    """SQL condition on DocumentVersion: still on its way to taking effect on `on`."""
    on = on or local_today()
    return sa.or_(
        DocumentVersion.state.in_([S.DRAFT, S.IN_REVIEW, S.IN_APPROVAL]),
        sa.and_(
            DocumentVersion.state == S.APPROVED,
            sa.or_(DocumentVersion.effective_from.is_(None), DocumentVersion.effective_from > on),
        ),
    )


def shown_state_expr(on: date | None = None) -> sa.ColumnElement[str]:
    """SQL twin of `shown_state`: the state column as it reads on `on`."""
    on = on or local_today()
    return sa.case(
        (in_force_clause(on), S.EFFECTIVE.value),
        (DocumentVersion.state == S.EFFECTIVE, S.SUPERSEDED.value),
        else_=DocumentVersion.state,
    )


# Versions that took effect at some point (or will, approved): the lifecycle's effective
# intervals are read from them.
_TOOK_EFFECT = (S.APPROVED, S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE)


def in_force_on(session: Session, document_ids: Iterable[int], day: date) -> dict[int, int]:
    """For each document, the id of the version that was in force on `day`, if any.

    A version is in force from its `effective_from` until the next version's `effective_from`
    (the day it was superseded), or until the document was withdrawn (the local day of
    `obsolete_at`). Derived from the lifecycle's dates, never stored.
    """
    ids = list(set(document_ids))
    if not ids:
        return {}
    rows = session.execute(
        sa.select(
            DocumentVersion.id,
            DocumentVersion.document_id,
            DocumentVersion.effective_from,
            DocumentVersion.obsolete_at,
        )
        .where(
            DocumentVersion.document_id.in_(ids),
            DocumentVersion.state.in_(_TOOK_EFFECT),
            DocumentVersion.effective_from.is_not(None),
        )
        .order_by(DocumentVersion.document_id, DocumentVersion.number)
    ).all()
    found: dict[int, int] = {}
    for index, (version_id, document_id, start, obsolete_at) in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        if following is not None and following.document_id == document_id:
            end: date | None = following.effective_from
        else:
            end = local_date(obsolete_at) if obsolete_at is not None else None
        if start is not None and start <= day and (end is None or day < end):
            found[document_id] = version_id
    return found
