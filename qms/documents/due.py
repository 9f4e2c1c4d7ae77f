"""Document control's part of `qms tick`: versions whose day came take effect; periodic
reviews due within the reminder window are reminded to the document's owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.timefmt import format_day
from qms.documents import approval
from qms.documents.models import Document, DocumentVersion, Origin, VersionState
from qms.documents.queries import next_review_on
from qms.notifications.due import DueItem, due_item


def take_effect(session: Session) -> list[str]:
    """Apply the transitions due today and commit them; the report lines for `qms tick`."""
    try:
        applied = approval.apply_due_transitions(session)
        lines = [_describe(session, version) for version in applied]
        session.commit()
    except Exception:
        session.rollback()
        raise
    if applied:
        lines.append(f"{len(applied)} version(s) took effect.")
    else:
        lines.append("Nothing changed: no version was due.")
    return lines


def _describe(session: Session, version: DocumentVersion) -> str:
    """One line per version that took effect, naming the one it superseded (same instant)."""
    previous = session.scalar(
        sa.select(DocumentVersion.number).where(
            DocumentVersion.document_id == version.document_id,
            DocumentVersion.state == VersionState.SUPERSEDED,
            DocumentVersion.superseded_at == version.effective_at,
        )
    )
    line = (
        f"{version.document.code} v{version.number} effective "
        f"(effective from {version.effective_from})"
    )
    if previous is not None:
        line += f", superseding v{previous}"
    return line


def review_due_items(session: Session, today: date, window: int) -> Iterator[DueItem]:
    """Periodic reviews due within `window` days, to the document's (active) owner; and, for a
    document of external origin in force, its verification (is there a newer edition?)."""
    yield from _periodic_reviews(session, today, window)
    yield from _verifications(session, today, window)


def _verifications(session: Session, today: date, window: int) -> Iterator[DueItem]:
    in_force = sa.select(DocumentVersion.document_id).where(
        DocumentVersion.state == VersionState.EFFECTIVE
    )
    stmt = sa.select(Document).where(
        Document.origin == Origin.EXTERNAL,
        Document.next_verification_on.is_not(None),
        Document.next_verification_on <= today + timedelta(days=window),
        Document.id.in_(in_force),
    )
    for document in session.scalars(stmt):
        due, owner = document.next_verification_on, document.owner
        if due is None or not owner.active:
            continue
        with force_locale(owner.locale or "es"):
            title = _(
                "Verification of %(code)s due on %(day)s: is there a newer edition?",
                code=document.code,
                day=format_day(due),
            )
        yield due_item(
            owner,
            f"verification-due:{document.id}:{due}",
            f"/documents/{document.id}",
            title,
            document.title,
        )


def _periodic_reviews(session: Session, today: date, window: int) -> Iterator[DueItem]:
    stmt = (
        sa.select(Document)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(DocumentVersion.state == VersionState.EFFECTIVE)
    )
    for document in session.scalars(stmt):
        due = next_review_on(session, document)
        owner = document.owner
        if due is None or (due - today).days > window or not owner.active:
            continue
        with force_locale(owner.locale or "es"):
            title = _(
                "Periodic review of %(code)s due on %(day)s",
                code=document.code,
                day=format_day(due),
            )
        yield due_item(
            owner,
            f"review-due:{document.id}:{due}",
            f"/documents/{document.id}",
            title,
            document.title,
        )
