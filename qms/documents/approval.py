"""Moving versions through the lifecycle with signatures: submit, review, approve, reject,
take effect (by date), withdraw, discard, and the periodic "reviewed, no change"."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.errors import Conflict, ValidationFailed
from qms.core.localtime import local_today
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.core.workflow import Checked, conditional_update
from qms.documents import lifecycle
from qms.documents.integrity import ensure_intact, stored_hash
from qms.documents.lifecycle import Action
from qms.documents.models import (
    Document,
    DocumentType,
    DocumentVersion,
    Signature,
    SignatureMeaning,
    VersionState,
)
from qms.documents.queries import (
    can_see_version,
    get_document,
    get_version,
    is_named_signer,
    open_version,
    stage_signatures,
    version_in_force,
)
from qms.documents.signing import add_signature, reauthenticate
from qms.documents.taking_effect import apply_due_transitions
from qms.trail import services as trail

M = SignatureMeaning
S = VersionState
SEGREGATION_REFUSED = TrailAction.DOCUMENT_SEGREGATION_REFUSED
# A signature that is not yet the last one its stage asks for.
PARTIAL_SIGNATURE = {
    Action.REVIEW: TrailAction.DOCUMENT_REVIEW_SIGN,
    Action.APPROVE: TrailAction.DOCUMENT_APPROVE_SIGN,
}


def today() -> date:
    """Today where the organisation is (QMS_TIMEZONE): effective dates are local dates."""
    return local_today()


def submit_version(session: Session, actor: Any, version_id: int, password: str) -> Signature:
    """The author signs "elaboró"; the content is frozen with its hash and goes to review."""
    version = get_version(session, actor, version_id)
    checked = lifecycle.WORKFLOW.check(version, Action.SUBMIT, actor)
    reauthenticate(session, actor, password, version, M.AUTHORED)
    digest = _lock_draft_and_hash(session, version)
    lifecycle.WORKFLOW.apply(
        session,
        checked,
        values={
            "content_sha256": digest,
            "submitted_at": utcnow(),
            "round": version.round + 1,
            "route": _route_snapshot(version.document.type),
        },
        details={"content_sha256": digest},
    )
    return add_signature(session, version, actor, M.AUTHORED, digest)


def _route_snapshot(doc_type: DocumentType) -> dict[str, Any]:
    """The type's rules for signing, kept with the version as they are at submission: the route
    and whether its reviewer may also approve it."""
    return {**(doc_type.route or {}), "distinct_signers": bool(doc_type.distinct_signers)}


def _lock_draft_and_hash(session: Session, version: DocumentVersion) -> str:
    """Lock the draft row, then hash what it holds: the digest covers exactly the content the
    submit freezes, whatever an edit or an upload committed while the password was checked.

    Edits and uploads lock the same row first, so none can slip in after this read.
    """
    conditional_update(session, DocumentVersion, version.id, S.DRAFT, {})
    session.refresh(version, ["content"])
    return stored_hash(session, version)


def _eligible(version: DocumentVersion, actor: Any, stage: str, signed: list[Signature]) -> None:
    """After the lock: on a sequential route it is the actor's turn, and they did not sign yet.
    (Whom the route names was checked with the transition: `lifecycle.route_signer`.)"""
    route = version.route_stage(stage)
    users = list(route.get("users") or [])
    if route.get("sequential") and users:
        expected = users[len(signed)] if len(signed) < len(users) else None
        if expected is not None and expected != actor.id:
            raise Conflict(str(_l("Another signer comes first on this route.")))
    if any(s.user_id == actor.id for s in signed):
        raise Conflict(str(_l("You already signed this version.")))


def _check_signer(
    session: Session, version: DocumentVersion, action: Action, actor: Any
) -> Checked:
    """The transition's permission and guards; a refusal for segregation of duties is recorded
    (the edge keeps the event although the request fails)."""
    try:
        return lifecycle.WORKFLOW.check(version, action, actor)
    except lifecycle.DutiesNotSeparated as refused:
        trail.record(
            session,
            SEGREGATION_REFUSED,
            "document_version",
            version.id,
            actor=actor,
            after={
                "document": version.document.code,
                "number": version.number,
                "round": version.round,
                "meaning": M.APPROVED.value,
                "signed_as": M.REVIEWED.value,
            },
            reason="segregation of duties",
        )
        refused.recorded = True
        raise


def _load_for_stage(
    session: Session, actor: Any, version_id: int, stage_state: str
) -> DocumentVersion:
    """The version to sign; a signer the route names who arrives after the stage closed (and
    so may no longer see the version) lost a race: Conflict, not 404."""
    version = session.get(DocumentVersion, version_id)
    if (
        version is not None
        and version.state != stage_state
        and not can_see_version(actor, version)
        and is_named_signer(actor, version, stage_state)
    ):
        raise Conflict(str(_l("Someone else changed this meanwhile; reload and try again.")))
    return get_version(session, actor, version_id)


def _sign_stage(
    session: Session,
    actor: Any,
    version_id: int,
    password: str,
    action: Action,
    comment: str,
    effective_from: date | None = None,
) -> Signature:
    stage_state = S.IN_REVIEW if action == Action.REVIEW else S.IN_APPROVAL
    version = _load_for_stage(session, actor, version_id, stage_state)
    stage, meaning = ("review", M.REVIEWED) if action == Action.REVIEW else ("approval", M.APPROVED)
    checked = _check_signer(session, version, action, actor)
    reauthenticate(session, actor, password, version, meaning)
    expected = version.state
    # Lock the version in the state we expect: a racing signer that loses waits here, then
    # finds the state moved and gets Conflict (409), never a second approval.
    conditional_update(session, DocumentVersion, version.id, expected, {})
    session.refresh(version)
    signed = stage_signatures(version, meaning)
    _eligible(version, actor, stage, signed)
    ensure_intact(session, version, actor, action.value)
    signature = add_signature(session, version, actor, meaning, version.content_sha256, comment)
    required = int(version.route_stage(stage).get("count") or 1)
    if len(signed) + 1 < required:
        trail.record(
            session,
            PARTIAL_SIGNATURE[action],
            "document_version",
            version.id,
            actor=actor,
            after={
                "document": version.document.code,
                "number": version.number,
                "signature": signature.id,
                "signed": len(signed) + 1,
                "required": required,
            },
        )
        return signature
    values: dict[str, Any] = {}
    if action == Action.APPROVE:
        values = {"approved_at": utcnow(), "effective_from": effective_from or today()}
    lifecycle.WORKFLOW.apply(
        session,
        checked,
        values=values,
        details={"signature": signature.id, "content_sha256": version.content_sha256},
    )
    if action == Action.APPROVE:
        if not version.document.code_locked:
            session.execute(
                sa.update(Document)
                .where(Document.id == version.document_id)
                .values(code_locked=True)
            )
        apply_due_transitions(session, document_id=version.document_id)
    return signature


def review_version(
    session: Session, actor: Any, version_id: int, password: str, comment: str = ""
) -> Signature:
    """Sign "revisó"; the last signature the route asks for moves the version to approval."""
    return _sign_stage(session, actor, version_id, password, Action.REVIEW, comment)


def approve_version(
    session: Session,
    actor: Any,
    version_id: int,
    password: str,
    *,
    effective_from: date | None = None,
    comment: str = "",
) -> Signature:
    """Sign "aprobó"; on the last approval the version is approved, effective when its day comes."""
    if effective_from is not None and effective_from < today():
        raise ValidationFailed(
            str(_l("The effective date cannot be in the past.")), field="effective_from"
        )
    return _sign_stage(
        session, actor, version_id, password, Action.APPROVE, comment, effective_from
    )


def reject_version(
    session: Session, actor: Any, version_id: int, password: str, reason: str
) -> Signature:
    """Sign "rechazó" with a reason: the version goes back to draft for its author."""
    version = get_version(session, actor, version_id)
    checked = lifecycle.WORKFLOW.check(version, Action.REJECT, actor, reason)
    reauthenticate(session, actor, password, version, M.REJECTED)
    signature = add_signature(session, version, actor, M.REJECTED, version.content_sha256, reason)
    lifecycle.WORKFLOW.apply(
        session,
        checked,
        details={"signature": signature.id},
    )
    return signature


def discard_draft(session: Session, actor: Any, version_id: int, reason: str) -> DocumentVersion:
    version = get_version(session, actor, version_id)
    lifecycle.WORKFLOW.apply(session, version, Action.DISCARD, actor, reason=reason)
    return version


def withdraw_document(
    session: Session, actor: Any, document_id: int, password: str, reason: str
) -> Signature:
    """Sign "retiró": the version in force becomes obsolete; the code stays taken forever."""
    document = get_document(session, actor, document_id)
    apply_due_transitions(session, document_id=document.id)
    current = version_in_force(session, document.id)
    if current is None:
        raise Conflict(str(_l("The document has no version in force.")))
    if open_version(session, document.id) is not None:
        # An approved or pending version would otherwise take effect later and revive it.
        raise Conflict(str(_l("Discard or finish the version in progress before withdrawing.")))
    checked = lifecycle.WORKFLOW.check(current, Action.WITHDRAW, actor, reason)
    reauthenticate(session, actor, password, current, M.WITHDRAWN)
    signature = add_signature(session, current, actor, M.WITHDRAWN, current.content_sha256, reason)
    lifecycle.WORKFLOW.apply(
        session,
        checked,
        values={"obsolete_at": utcnow()},
        details={"signature": signature.id},
    )
    return signature


def record_periodic_review(
    session: Session, actor: Any, document_id: int, password: str, comment: str = ""
) -> Signature:
    """ "Reviewed, no change": a signature on the version in force moves the next review date."""
    document = get_document(session, actor, document_id)
    require(actor, Permission.DOCUMENT_PERIODIC_REVIEW, document)
    apply_due_transitions(session, document_id=document.id)
    current = version_in_force(session, document.id)
    if current is None:
        raise Conflict(str(_l("The document has no version in force.")))
    reauthenticate(session, actor, password, current, M.PERIODIC_REVIEW)
    signature = add_signature(
        session, current, actor, M.PERIODIC_REVIEW, current.content_sha256, comment
    )
    trail.record(
        session,
        TrailAction.DOCUMENT_PERIODIC_REVIEW,
        "document",
        document.id,
        actor=actor,
        after={"version": current.number, "signature": signature.id},
    )
    return signature
