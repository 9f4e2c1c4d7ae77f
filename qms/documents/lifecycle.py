"""The document lifecycle as one table of transitions and the workflow that applies it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.core.errors import PermissionDenied, ValidationFailed
from qms.core.permissions import Permission
from qms.core.trail_actions import TrailAction
from qms.core.workflow import Rule, Workflow
from qms.documents.models import DocumentVersion, SignatureMeaning, VersionState
from qms.documents.queries import is_named_signer
from qms.trail import services as trail

S = VersionState
P = Permission


class Action(StrEnum):
    SUBMIT = "submit"
    REVIEW = "review"  # the last review signature the route asks for
    APPROVE = "approve"  # the last approval signature
    REJECT = "reject"
    TAKE_EFFECT = "take_effect"
    SUPERSEDE = "supersede"
    WITHDRAW = "withdraw"
    DISCARD = "discard"


def not_author(version: DocumentVersion, actor: Any) -> None:
    """Segregation of duties: whoever wrote a version does not review or approve it."""
    if actor is not None and version.author_id == actor.id:
        raise PermissionDenied(str(_l("The author of a version cannot review or approve it.")))


def route_signer(version: DocumentVersion, actor: Any) -> None:
    """Who signs (or rejects) the stage a version is in: those its route names, never its
    author (`queries.is_named_signer`)."""
    not_author(version, actor)
    if not is_named_signer(actor, version):
        raise PermissionDenied(str(_l("The approval route does not name you for this step.")))


class DutiesNotSeparated(PermissionDenied):
    """The same person would sign one version in two meanings (reviewed and approved)."""

    code = "duties_not_separated"


def duties_conflict(version: DocumentVersion, actor: Any) -> bool:
    """Approving would give `actor` a second meaning on this version: they signed "revisó" in
    the current round, and the version's type separates duties (the default)."""
    if actor is None or version.state != S.IN_APPROVAL or not version.distinct_signers:
        return False
    return any(
        (s.user_id, s.meaning, s.round) == (actor.id, SignatureMeaning.REVIEWED, version.round)
        for s in version.signatures
    )


def separate_duties(version: DocumentVersion, actor: Any) -> None:
    """Segregation of duties, unless the version's type relaxes it: whoever reviewed this
    round does not also approve it."""
    if duties_conflict(version, actor):
        raise DutiesNotSeparated(
            str(
                _l(
                    "You reviewed this version, so you cannot also approve it (segregation of "
                    "duties): another approver signs. The document type may allow it."
                )
            )
        )


def approval_signer(version: DocumentVersion, actor: Any) -> None:
    route_signer(version, actor)
    separate_duties(version, actor)


def has_change_summary(version: DocumentVersion, _actor: Any) -> None:
    if version.number > 1 and not (version.change_summary or "").strip():
        raise ValidationFailed(
            str(_l("Describe the change: it is required from the second version on.")),
            field="change_summary",
        )


TRANSITIONS: Mapping[tuple[str, str], Rule] = {
    (S.DRAFT, Action.SUBMIT): Rule(
        to=S.IN_REVIEW,
        permission=P.DOCUMENT_EDIT,
        trail_action=TrailAction.DOCUMENT_SUBMIT,
        guard=has_change_summary,
    ),
    (S.DRAFT, Action.DISCARD): Rule(
        to=S.DISCARDED,
        permission=P.DOCUMENT_EDIT,
        trail_action=TrailAction.DOCUMENT_DISCARD,
        needs_reason=True,
    ),
    # Signers are whom the version's route names (any role); the guards check it.
    (S.IN_REVIEW, Action.REVIEW): Rule(
        to=S.IN_APPROVAL,
        permission=P.DOCUMENT_SIGN,
        trail_action=TrailAction.DOCUMENT_REVIEW,
        guard=route_signer,
    ),
    (S.IN_REVIEW, Action.REJECT): Rule(
        to=S.DRAFT,
        permission=P.DOCUMENT_SIGN,
        trail_action=TrailAction.DOCUMENT_REJECT,
        guard=route_signer,
        needs_reason=True,
    ),
    (S.IN_APPROVAL, Action.APPROVE): Rule(
        to=S.APPROVED,
        permission=P.DOCUMENT_SIGN,
        trail_action=TrailAction.DOCUMENT_APPROVE,
        guard=approval_signer,
    ),
    (S.IN_APPROVAL, Action.REJECT): Rule(
        to=S.DRAFT,
        permission=P.DOCUMENT_SIGN,
        trail_action=TrailAction.DOCUMENT_REJECT,
        guard=route_signer,
        needs_reason=True,
    ),
    (S.APPROVED, Action.TAKE_EFFECT): Rule(
        to=S.EFFECTIVE, permission=None, trail_action=TrailAction.DOCUMENT_TAKE_EFFECT
    ),
    (S.EFFECTIVE, Action.SUPERSEDE): Rule(
        to=S.SUPERSEDED, permission=None, trail_action=TrailAction.DOCUMENT_SUPERSEDE
    ),
    (S.EFFECTIVE, Action.WITHDRAW): Rule(
        to=S.OBSOLETE,
        permission=P.DOCUMENT_WITHDRAW,
        trail_action=TrailAction.DOCUMENT_WITHDRAW,
        needs_reason=True,
    ),
}


WORKFLOW = Workflow(
    TRANSITIONS,
    model=DocumentVersion,
    object_type="document_version",
    describe=lambda v: {"document": v.document.code, "number": v.number},
    record=trail.record,
)
