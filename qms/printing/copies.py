"""The controlled-copy register and the print service: issue copy N of a version to a holder,
recall it when the version stops being in force, print any copy with its stamp, on record."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import rowcount, utcnow
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.documents import approval
from qms.documents.in_force import shown_state, shown_state_expr
from qms.documents.integrity import ensure_intact
from qms.documents.models import DocumentVersion, VersionState
from qms.documents.queries import get_version
from qms.organisation.identity import default_paper
from qms.printing.models import ControlledCopy
from qms.printing.render import PAGE_SIZES, ensure_base_pdf
from qms.printing.stamp import controlled_line, stamp, status_mark, uncontrolled_line
from qms.printing.tokens import controlled_copy_url, print_url
from qms.trail import services as trail

S = VersionState
RECALL_STATES = (S.SUPERSEDED, S.OBSOLETE)


def issue_controlled_copy(
    session: Session, actor: Any, version_id: int, holder: str, holder_user_id: int | None = None
) -> ControlledCopy:
    """Copy number N+1 of the version in force, assigned to a person or a location."""
    require(actor, Permission.COPY_ISSUE)
    version = get_version(session, actor, version_id)
    holder = (holder or "").strip()[:200]
    if not holder:
        raise ValidationFailed(str(_l("Say who or where holds the copy.")), field="holder")
    if approval.apply_due_transitions(session, document_id=version.document_id):
        session.refresh(version)
    if version.state != S.EFFECTIVE:
        raise Conflict(str(_l("Only the version in force gets controlled copies.")))
    # Lock the version row so two issuers never draw the same copy number.
    conditional_update(session, DocumentVersion, version.id, S.EFFECTIVE, {})
    last = session.scalar(
        sa.select(sa.func.max(ControlledCopy.copy_number)).where(
            ControlledCopy.version_id == version.id
        )
    )
    copy = ControlledCopy(
        version_id=version.id,
        copy_number=(last or 0) + 1,
        holder=holder,
        holder_user_id=holder_user_id,
        issued_by_id=actor.id,
    )
    session.add(copy)
    session.flush()
    trail.record(
        session,
        TrailAction.COPY_ISSUE,
        "controlled_copy",
        copy.id,
        actor=actor,
        after={
            "document": version.document.code,
            "number": version.number,
            "copy_number": copy.copy_number,
            "holder": holder,
        },
    )
    return copy


def copies_of(session: Session, actor: Any, version_id: int) -> list[ControlledCopy]:
    require(actor, Permission.COPY_READ)
    get_version(session, actor, version_id)
    stmt = sa.select(ControlledCopy).where(ControlledCopy.version_id == version_id)
    return list(session.scalars(stmt.order_by(ControlledCopy.copy_number)))


def outstanding_recalls(session: Session, actor: Any) -> list[ControlledCopy]:
    """Copies of versions no longer in force whose return nobody has acknowledged yet."""
    require(actor, Permission.COPY_READ)
    stmt = (
        sa.select(ControlledCopy)
        .join(DocumentVersion, DocumentVersion.id == ControlledCopy.version_id)
        .where(shown_state_expr().in_([s.value for s in RECALL_STATES]))
        .where(ControlledCopy.recall_acknowledged_at.is_(None))
        .order_by(ControlledCopy.issued_at)
    )
    return list(session.scalars(stmt))


def acknowledge_recall(session: Session, actor: Any, copy_id: int) -> ControlledCopy:
    """The holder handed the copy back (or it was destroyed): it leaves the recall list."""
    require(actor, Permission.COPY_RECALL)
    copy = session.get(ControlledCopy, copy_id)
    if copy is None:
        raise NotFound(str(_l("Copy not found.")))
    if shown_state(copy.version) not in RECALL_STATES:
        raise Conflict(str(_l("The copy's version is still in force: nothing to recall.")))
    done = session.execute(
        sa.update(ControlledCopy)
        .where(ControlledCopy.id == copy.id, ControlledCopy.recall_acknowledged_at.is_(None))
        .values(recall_acknowledged_at=utcnow(), recall_acknowledged_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        raise Conflict(str(_l("This recall was already acknowledged.")))
    session.refresh(copy)
    trail.record(
        session,
        TrailAction.COPY_RECALL_ACKNOWLEDGE,
        "controlled_copy",
        copy.id,
        actor=actor,
        after={
            "document": copy.version.document.code,
            "number": copy.version.number,
            "copy_number": copy.copy_number,
            "holder": copy.holder,
        },
    )
    return copy


def print_copy(
    session: Session,
    store: BlobStore,
    actor: Any,
    version_id: int,
    *,
    controlled_copy_id: int | None = None,
    page_size: str = "A4",
) -> tuple[bytes, str]:
    """A stamped PDF of a version, on record in the trail: the one print service.

    Uncontrolled: any version the actor may see (staff: only the one in force, else 404),
    marked OBSOLETO or BORRADOR when it is not in force. Controlled: copy N of the version in
    force, for quality leads only; a copy of a version no longer in force is recalled, not
    reprinted (409).

    The QR and link on the stamp name this copy: a controlled copy by its id, an uncontrolled
    print by its `document:print` event, recorded (and flushed) before the stamp is drawn.
    Needs a request context for the absolute URL (the CLI makes one).
    """
    copy = None
    if controlled_copy_id is not None:
        require(actor, Permission.COPY_ISSUE)
        copy = session.get(ControlledCopy, controlled_copy_id)
        if copy is None or copy.version_id != version_id:
            raise NotFound(str(_l("Copy not found.")))
    else:
        require(actor, Permission.DOCUMENT_READ)
    version = get_version(session, actor, version_id)
    # Print what is in force today, as every reader sees it (qms print included).
    if approval.apply_due_transitions(session, document_id=version.document_id):
        session.refresh(version)
        version = get_version(session, actor, version_id)
    if copy is not None and version.state != S.EFFECTIVE:
        raise Conflict(str(_l("The version is no longer in force: recall the copy instead.")))
    ensure_intact(session, version, actor, "print")
    size = page_size if page_size in PAGE_SIZES else default_paper()
    base, _rendition = ensure_base_pdf(session, store, version, size)
    document = version.document
    details: dict[str, Any] = {"document": document.code, "number": version.number}
    if copy is not None:
        details |= {"copy": "controlled", "copy_number": copy.copy_number, "holder": copy.holder}
    else:
        details |= {"copy": "uncontrolled", "state": version.state}
    details["page_size"] = size
    event = trail.record(
        session,
        TrailAction.DOCUMENT_PRINT,
        "document_version",
        version.id,
        actor=actor,
        after=details,
    )
    if copy is not None:
        check_url = controlled_copy_url(copy.id)
        line = controlled_line(copy.copy_number, copy.holder, check_url)
        pdf = stamp(base, line, qr_url=check_url)
        filename = f"{document.code}-v{version.number}-copia-{copy.copy_number}.pdf"
    else:
        check_url = print_url(event.id)
        line = uncontrolled_line(actor.full_name, event.occurred_at, check_url)
        pdf = stamp(base, line, mark=status_mark(version.state), qr_url=check_url)
        filename = f"{document.code}-v{version.number}.pdf"
    return pdf, filename


def print_controlled_copy(
    session: Session,
    store: BlobStore,
    actor: Any,
    copy_id: int,
    *,
    page_size: str,
) -> tuple[bytes, str]:
    """The copy's PDF with COPIA CONTROLADA N° X — holder; only while its version is in force."""
    require(actor, Permission.COPY_ISSUE)
    copy = session.get(ControlledCopy, copy_id)
    if copy is None:
        raise NotFound(str(_l("Copy not found.")))
    return print_copy(
        session,
        store,
        actor,
        copy.version_id,
        controlled_copy_id=copy.id,
        page_size=page_size,
    )
