"""Recording what the calendar already decided: approved versions take effect on their day.

Readers derive the state of today without this (`in_force`); the tick records it, and so does
every writer whose check depends on what is in force (a new version, a withdrawal, a periodic
review, a copy), before it checks.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.errors import Conflict
from qms.core.localtime import local_today
from qms.documents import lifecycle
from qms.documents.integrity import ContentAltered, ensure_intact
from qms.documents.lifecycle import Action
from qms.documents.models import DocumentVersion, VersionState

S = VersionState


def apply_due_transitions(
    session: Session, *, on: date | None = None, document_id: int | None = None
) -> list[DocumentVersion]:
    """Approved versions whose day has come take effect; the one they replace is superseded.

    Idempotent (`qms tick`, and writers before their checks): a version another process moved
    first is skipped.
    """
    stmt = sa.select(DocumentVersion).where(
        DocumentVersion.state == S.APPROVED,
        DocumentVersion.effective_from <= (on or local_today()),
    )
    if document_id is not None:
        stmt = stmt.where(DocumentVersion.document_id == document_id)
    applied = []
    for version in session.scalars(stmt.order_by(DocumentVersion.id)).all():
        try:
            _take_effect(session, version)
        except Conflict:
            # Another process got there first. Its first conditional UPDATE held the lock, so
            # ours changed nothing before failing: no savepoint is needed to undo.
            continue
        applied.append(version)
    return applied


def _take_effect(session: Session, version: DocumentVersion) -> None:
    try:
        ensure_intact(session, version, None, Action.TAKE_EFFECT.value, once=True)
    except ContentAltered:
        # Stays approved and is listed by `qms signatures verify`; the refusal is recorded.
        raise Conflict(str(_l("The version's content no longer matches its signatures."))) from None
    # The recorded one, not the derived one (which is `version` itself by now).
    previous = session.scalar(
        sa.select(DocumentVersion).where(
            DocumentVersion.document_id == version.document_id,
            DocumentVersion.state == S.EFFECTIVE,
        )
    )
    now = utcnow()
    if previous is not None:
        lifecycle.WORKFLOW.apply(
            session,
            previous,
            Action.SUPERSEDE,
            None,
            values={"superseded_at": now},
            details={"by_number": version.number},
        )
    lifecycle.WORKFLOW.apply(
        session,
        version,
        Action.TAKE_EFFECT,
        None,
        values={"effective_at": now},
        details={"effective_from": str(version.effective_from)},
    )
