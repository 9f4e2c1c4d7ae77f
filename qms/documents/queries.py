"""Reading documents and versions through the visibility rules.

Staff see versions in force only; process owners also see drafts and history of documents of
their processes; quality leads, auditors and admins see everything; whoever a version's route
names for its current stage sees that version while it waits for them. Hidden means 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import NotFound
from qms.core.localtime import local_date
from qms.core.permissions import (
    Permission,
    can,
    can_own_variant,
    holds_role_for,
    require,
    roles_with,
)
from qms.documents.in_force import in_force_clause, is_in_force, is_pending_clause
from qms.documents.models import (
    Document,
    DocumentType,
    DocumentVersion,
    Signature,
    SignatureMeaning,
    VersionState,
)

P = Permission


def version_visibility(actor: Any, session: Session) -> sa.ColumnElement[bool]:
    """SQL condition on DocumentVersion for what `actor` may see: the one rule for lists,
    search and single loads (`get_version`). Needs no join: what it reads of the document it
    reads in subqueries. `can_see_version` is its Python twin, for versions already loaded;
    tests/integration/test_visibility_agreement.py holds the two to the same answers.

    `session` reads the versions whose route names the actor (`named_signer_version_ids`).
    """
    if can(actor, P.DOCUMENT_READ_ALL):
        return sa.true()
    seen: list[sa.ColumnElement[bool]] = []
    if can(actor, P.DOCUMENT_READ):
        seen.append(in_force_clause())
    if can_own_variant(actor, P.DOCUMENT_READ_ALL):
        owned = sa.select(Document.id).where(Document.owned_by_clause(actor.id))
        seen.append(DocumentVersion.document_id.in_(owned))
    named = named_signer_version_ids(session, actor)
    if named:
        seen.append(DocumentVersion.id.in_(named))
    return sa.or_(sa.false(), *seen)


def document_visibility(actor: Any, session: Session) -> sa.ColumnElement[bool]:
    """SQL condition on Document: the actor may see at least one of its versions."""
    visible = sa.select(DocumentVersion.document_id).where(version_visibility(actor, session))
    return Document.id.in_(visible)


def named_signer_version_ids(session: Session, actor: Any) -> list[int]:
    """The versions waiting in review or approval whose route names `actor` for that stage.

    The route is JSON (the version's own, else its type's) with a fallback to the roles that
    hold the stage's permission, scoped by process: written once, in Python (`is_named_signer`),
    and applied here to the few versions waiting for signatures, so that the SQL predicate
    needs no JSON containment of its own on each backend.
    """
    if actor is None or not getattr(actor, "is_active", False):
        return []
    waiting = session.scalars(
        sa.select(DocumentVersion)
        .where(DocumentVersion.state.in_(list(STAGES)))
        .order_by(DocumentVersion.id)
    )
    return [version.id for version in waiting if is_named_signer(actor, version)]


STAGES = {
    VersionState.IN_REVIEW: ("review", P.DOCUMENT_REVIEW),
    VersionState.IN_APPROVAL: ("approval", P.DOCUMENT_APPROVE),
}


def is_named_signer(actor: Any, version: DocumentVersion, state: str | None = None) -> bool:
    """The route names `actor` for the stage of `state` (default: now).

    By name, whatever their role; or by a role they hold for the document: a global role
    (quality lead, approver...) for any process, a process-scoped one (process owner, staff)
    only as the leader or a member of the document's process. A stage that names no one is
    signed by the roles that may sign it (DOCUMENT_REVIEW / DOCUMENT_APPROVE), scoped alike.
    """
    state = state or version.state
    if state not in STAGES or actor is None or not getattr(actor, "is_active", False):
        return False
    stage, permission = STAGES[VersionState(state)]
    route = version.route_stage(stage)
    roles, users = list(route.get("roles") or []), list(route.get("users") or [])
    if actor.id in users:
        return True
    if not roles and not users:
        roles = roles_with(permission)
    return holds_role_for(actor, roles, version)


def can_see_version(actor: Any, version: DocumentVersion) -> bool:
    """Python twin of `version_visibility`, for versions already loaded (a list's open
    versions, a version just signed): no query per version."""
    if is_in_force(version) and can(actor, P.DOCUMENT_READ):
        return True
    return can(actor, P.DOCUMENT_READ_ALL, version.document) or is_named_signer(actor, version)


def can_see_history(actor: Any, document: Document) -> bool:
    """Drafts, old versions and signatures of this document."""
    return can(actor, P.DOCUMENT_READ_ALL, document)


def get_version(session: Session, actor: Any, version_id: int) -> DocumentVersion:
    """The version through the same predicate as the lists; hidden or missing is NotFound."""
    version = session.scalar(
        sa.select(DocumentVersion).where(
            DocumentVersion.id == version_id, version_visibility(actor, session)
        )
    )
    if version is None:
        raise NotFound(str(_l("Version not found.")))
    return version


def get_document(session: Session, actor: Any, document_id: int) -> Document:
    """The document, when the actor may see at least one of its versions."""
    require(actor, P.DOCUMENT_READ)
    stmt = sa.select(Document).where(
        Document.id == document_id, document_visibility(actor, session)
    )
    document = session.scalar(stmt)
    if document is None:
        raise NotFound(str(_l("Document not found.")))
    return document


def find_document(session: Session, actor: Any, code: str) -> Document:
    document_id = session.scalar(sa.select(Document.id).where(Document.code == code.upper()))
    if document_id is None:
        raise NotFound(str(_l("Document not found.")))
    return get_document(session, actor, document_id)


def visible_versions(session: Session, actor: Any, document: Document) -> list[DocumentVersion]:
    stmt = (
        sa.select(DocumentVersion)
        .where(DocumentVersion.document_id == document.id, version_visibility(actor, session))
        .order_by(DocumentVersion.number)
    )
    return list(session.scalars(stmt))


def version_in_force(session: Session, document_id: int) -> DocumentVersion | None:
    """Derived, never copied: the version in force today, if any (see `in_force`)."""
    return session.scalar(
        sa.select(DocumentVersion).where(
            DocumentVersion.document_id == document_id, in_force_clause()
        )
    )


def in_force_by_code(
    session: Session, codes: list[str]
) -> dict[str, tuple[Document, DocumentVersion | None]]:
    """The documents with these codes, each with its version in force (one query)."""
    if not codes:
        return {}
    in_force = sa.and_(DocumentVersion.document_id == Document.id, in_force_clause())
    stmt = (
        sa.select(Document, DocumentVersion)
        .outerjoin(DocumentVersion, in_force)
        .where(Document.code.in_([code.upper() for code in codes]))
    )
    return {document.code: (document, version) for document, version in session.execute(stmt)}


def open_version(session: Session, document_id: int) -> DocumentVersion | None:
    """The draft or the version on its way to taking effect today, if any."""
    return session.scalar(
        sa.select(DocumentVersion).where(
            DocumentVersion.document_id == document_id, is_pending_clause()
        )
    )


def list_types(session: Session, *, include_inactive: bool = False) -> list[DocumentType]:
    stmt = sa.select(DocumentType).order_by(DocumentType.name)
    if not include_inactive:
        stmt = stmt.where(DocumentType.active.is_(True))
    return list(session.scalars(stmt))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def next_review_on(session: Session, document: Document) -> date | None:
    """Effective date (or the last "reviewed, no change") plus the review interval."""
    current = version_in_force(session, document.id)
    if current is None or current.effective_from is None:
        return None
    last_review = session.scalar(
        sa.select(sa.func.max(Signature.signed_at)).where(
            Signature.version_id == current.id,
            Signature.meaning == SignatureMeaning.PERIODIC_REVIEW,
        )
    )
    start = current.effective_from
    # The day it was signed where the organisation is, not the UTC day (a day ahead at night).
    if last_review is not None and local_date(last_review) > start:
        start = local_date(last_review)
    return add_months(start, document.review_interval_months)


def stage_signatures(version: DocumentVersion, meaning: str) -> list[Signature]:
    """Signatures of the current submission round with that meaning, oldest first."""
    return [s for s in version.signatures if s.meaning == meaning and s.round == version.round]


def list_documents(
    session: Session, actor: Any, *, process_id: int | None, type_id: int | None, text: str
) -> list[tuple[Document, DocumentVersion | None, DocumentVersion | None]]:
    """(document, version in force, open version if the reader may see it), by code."""
    stmt = sa.select(Document).where(document_visibility(actor, session)).order_by(Document.code)
    if process_id:
        stmt = stmt.where(Document.process_id == process_id)
    if type_id:
        stmt = stmt.where(Document.type_id == type_id)
    if text.strip():
        needle = text.strip().lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Document.code).contains(needle, autoescape=True),
                sa.func.lower(Document.title).contains(needle, autoescape=True),
            )
        )
    documents = list(session.scalars(stmt))
    ids = stmt.with_only_columns(Document.id).order_by(None)
    in_force: dict[int, DocumentVersion] = {}
    pending: dict[int, DocumentVersion] = {}
    versions = sa.select(DocumentVersion, in_force_clause().label("in_force")).where(
        DocumentVersion.document_id.in_(ids), sa.or_(in_force_clause(), is_pending_clause())
    )
    for found, found_in_force in session.execute(versions):
        if found_in_force:
            in_force[found.document_id] = found
        elif can_see_version(actor, found):
            pending[found.document_id] = found
    return [(d, in_force.get(d.id), pending.get(d.id)) for d in documents]
