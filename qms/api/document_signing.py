"""Signing through the API: submit, review, approve, reject, discard, withdraw, periodic review.

The password in each body is the token owner's account password: re-authentication for the
signature, as on the pages. A refused password (SignatureRefused) and a lockout are recorded
errors: the edge keeps their trail event although it answers 403 / 429.
"""

from __future__ import annotations

from qms.api.blueprint import api
from qms.api.dates import parse_date
from qms.api.documents import signed_model, version_model
from qms.api.models.document_bodies import (
    Approve,
    Discard,
    PeriodicReview,
    Reject,
    Review,
    Submit,
    Withdraw,
)
from qms.api.models.documents import SignedVersion, Version
from qms.core.db import db
from qms.core.permissions import Permission
from qms.documents import approval
from qms.users.models import User

P = Permission


@api.route(
    "/versions/<int:version_id>/submit",
    method="POST",
    summary="Sign as author (elaboró) and send the draft to review",
    response=SignedVersion,
    permission=P.DOCUMENT_EDIT,
    own=True,
    body=Submit,
)
def submit_version(actor: User, version_id: int, body: Submit) -> SignedVersion:
    signature = approval.submit_version(db.session, actor, version_id, body.password)
    return signed_model(actor, signature)


@api.route(
    "/versions/<int:version_id>/review",
    method="POST",
    summary="Sign as reviewer (revisó); the last review the route asks for moves it on",
    response=SignedVersion,
    permission=P.DOCUMENT_SIGN,
    body=Review,
)
def review_version(actor: User, version_id: int, body: Review) -> SignedVersion:
    signature = approval.review_version(db.session, actor, version_id, body.password, body.comment)
    return signed_model(actor, signature)


@api.route(
    "/versions/<int:version_id>/approve",
    method="POST",
    summary="Sign as approver (aprobó); effective on effective_from (default today)",
    response=SignedVersion,
    permission=P.DOCUMENT_SIGN,
    body=Approve,
)
def approve_version(actor: User, version_id: int, body: Approve) -> SignedVersion:
    effective_from = parse_date(body, "effective_from")
    signature = approval.approve_version(
        db.session,
        actor,
        version_id,
        body.password,
        effective_from=effective_from,
        comment=body.comment,
    )
    return signed_model(actor, signature)


@api.route(
    "/versions/<int:version_id>/reject",
    method="POST",
    summary="Sign a rejection (rechazó) with a reason: back to draft",
    response=SignedVersion,
    permission=P.DOCUMENT_SIGN,
    body=Reject,
)
def reject_version(actor: User, version_id: int, body: Reject) -> SignedVersion:
    """Reviewers reject in review, approvers in approval: the version's route decides."""
    signature = approval.reject_version(db.session, actor, version_id, body.password, body.reason)
    return signed_model(actor, signature)


@api.route(
    "/versions/<int:version_id>/discard",
    method="POST",
    summary="Discard a draft, with a reason",
    response=Version,
    permission=P.DOCUMENT_EDIT,
    own=True,
    body=Discard,
)
def discard_draft(actor: User, version_id: int, body: Discard) -> Version:
    discarded = approval.discard_draft(db.session, actor, version_id, body.reason)
    return version_model(actor, discarded)


@api.route(
    "/documents/<int:document_id>/withdraw",
    method="POST",
    summary="Sign the withdrawal (retiró): the version in force becomes obsolete",
    response=SignedVersion,
    permission=P.DOCUMENT_WITHDRAW,
    body=Withdraw,
)
def withdraw_document(actor: User, document_id: int, body: Withdraw) -> SignedVersion:
    signature = approval.withdraw_document(
        db.session, actor, document_id, body.password, body.reason
    )
    return signed_model(actor, signature)


@api.route(
    "/documents/<int:document_id>/periodic-review",
    method="POST",
    summary='Sign "reviewed, no change": the next review date moves on',
    response=SignedVersion,
    permission=P.DOCUMENT_PERIODIC_REVIEW,
    own=True,
    body=PeriodicReview,
)
def periodic_review(actor: User, document_id: int, body: PeriodicReview) -> SignedVersion:
    signature = approval.record_periodic_review(
        db.session, actor, document_id, body.password, body.comment
    )
    return signed_model(actor, signature)
