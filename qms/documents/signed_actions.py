"""Document control's signed actions as one table: submit, review, approve, reject, discard,
withdraw and the periodic review. `sign_views` serves each as a page, `qms.api.document_signing`
as an API endpoint; both read everything else from here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

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
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.signed_actions import SignedAction
from qms.core.web import attach_error
from qms.documents import approval, lifecycle
from qms.documents.lifecycle import Action
from qms.documents.models import Document, DocumentVersion
from qms.documents.queries import get_document, get_version, version_in_force
from qms.documents.sign_forms import (
    PAGES,
    ApproveForm,
    CommentSignForm,
    DiscardForm,
    ReasonSignForm,
    SignForm,
)

P = Permission
VERSION = "/versions/<int:version_id>"
DOCUMENT = "/<int:document_id>"  # under /documents on the pages; the API spells it out


def _url(endpoint: str, **values: Any) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def version_url(version: DocumentVersion) -> str:
    """The version's page when the documents pages exist, else the document's, else home."""
    return (
        _url("documents.version", version_id=version.id)
        or _url("documents.show", document_id=version.document_id)
        or url_for("home.dashboard")
    )


def document_url(document: Document) -> str:
    return _url("documents.show", document_id=document.id) or url_for("home.dashboard")


# --- The object signed ---------------------------------------------------------------------


def _version(session: Session, actor: Any, version_id: int) -> DocumentVersion:
    return get_version(session, actor, version_id)


def _in_force(session: Session, actor: Any, document_id: int) -> DocumentVersion:
    """The version in force of a document the actor may see; none in force is a Conflict."""
    document = get_document(session, actor, document_id)
    current = version_in_force(session, document.id)
    if current is None:
        raise Conflict(str(_l("The document has no version in force.")))
    return current


# --- Before the form is shown --------------------------------------------------------------


def _open_to(action: Action) -> Callable[[DocumentVersion, Any, Any], None]:
    """Refuse the page early (409, 403) when the action is not open to this reader now; a
    missing prerequisite (e.g. the change summary) is shown beside its field before signing."""

    def prepare(version: DocumentVersion, actor: Any, form: Any) -> None:
        try:
            lifecycle.WORKFLOW.check(version, action, actor)
        except ValidationFailed as error:
            if error.field == "reason":
                return  # the reason is asked on this very form
            attach_error(form, error)

    return prepare


def _approve_form(version: DocumentVersion, actor: Any, form: Any) -> None:
    form.effective_from.data = approval.today()
    _open_to(Action.APPROVE)(version, actor, form)


def _periodic_review_open(version: DocumentVersion, actor: Any, _form: Any) -> None:
    require(actor, P.DOCUMENT_PERIODIC_REVIEW, version.document)


# --- Where to after ------------------------------------------------------------------------


def _version_page(_signed: DocumentVersion) -> str | None:
    return None  # the version's page, or the signer's work list once they may not see it


def _document_page(version: DocumentVersion) -> str | None:
    return document_url(version.document)


def _document_page_if_any(version: DocumentVersion) -> str | None:
    return _url("documents.show", document_id=version.document_id)


SIGNED_ACTIONS: tuple[SignedAction, ...] = (
    SignedAction(
        name="submit",
        rule=f"{VERSION}/submit",
        permission=P.DOCUMENT_EDIT,
        own=True,
        load=_version,
        form=SignForm,
        page=PAGES[Action.SUBMIT],
        sign=lambda s, actor, id_, given: approval.submit_version(s, actor, id_, given.password),
        prepare=_open_to(Action.SUBMIT),
        done=_version_page,
        api_endpoint="submit_version",
        api_summary="Sign as author (elaboró) and send the draft to review",
        api_body=Submit,
        api_response=SignedVersion,
    ),
    SignedAction(
        name="review",
        rule=f"{VERSION}/review",
        permission=P.DOCUMENT_SIGN,  # the version's route names the signers
        own=False,
        load=_version,
        form=CommentSignForm,
        page=PAGES[Action.REVIEW],
        sign=lambda s, actor, id_, given: approval.review_version(
            s, actor, id_, given.password, given.comment
        ),
        prepare=_open_to(Action.REVIEW),
        done=_version_page,
        api_endpoint="review_version",
        api_summary="Sign as reviewer (revisó); the last review the route asks for moves it on",
        api_body=Review,
        api_response=SignedVersion,
    ),
    SignedAction(
        name="approve",
        rule=f"{VERSION}/approve",
        permission=P.DOCUMENT_SIGN,
        own=False,
        load=_version,
        form=ApproveForm,
        page=PAGES[Action.APPROVE],
        sign=lambda s, actor, id_, given: approval.approve_version(
            s,
            actor,
            id_,
            given.password,
            effective_from=given.effective_from,
            comment=given.comment,
        ),
        prepare=_approve_form,
        done=_version_page,
        api_endpoint="approve_version",
        api_summary="Sign as approver (aprobó); effective on effective_from (default today)",
        api_body=Approve,
        api_response=SignedVersion,
    ),
    SignedAction(
        name="reject",
        rule=f"{VERSION}/reject",
        permission=P.DOCUMENT_SIGN,
        own=False,
        load=_version,
        form=ReasonSignForm,
        page=PAGES[Action.REJECT],
        sign=lambda s, actor, id_, given: approval.reject_version(
            s, actor, id_, given.password, given.reason
        ),
        prepare=_open_to(Action.REJECT),
        done=_version_page,
        api_endpoint="reject_version",
        api_summary="Sign a rejection (rechazó) with a reason: back to draft",
        api_description=(
            "Reviewers reject in review, approvers in approval: the version's route decides."
        ),
        api_body=Reject,
        api_response=SignedVersion,
    ),
    SignedAction(
        name="discard",
        rule=f"{VERSION}/discard",
        permission=P.DOCUMENT_EDIT,
        own=True,
        load=_version,
        form=DiscardForm,  # no signature: the draft was never signed
        page=PAGES[Action.DISCARD],
        sign=lambda s, actor, id_, given: approval.discard_draft(s, actor, id_, given.reason),
        prepare=_open_to(Action.DISCARD),
        done=_document_page_if_any,
        api_endpoint="discard_draft",
        api_summary="Discard a draft, with a reason",
        api_body=Discard,
        api_response=Version,
    ),
    SignedAction(
        name="withdraw",
        rule=f"{DOCUMENT}/withdraw",
        api_rule=f"/documents{DOCUMENT}/withdraw",
        permission=P.DOCUMENT_WITHDRAW,
        own=False,
        load=_in_force,
        form=ReasonSignForm,
        page=PAGES[Action.WITHDRAW],
        sign=lambda s, actor, id_, given: approval.withdraw_document(
            s, actor, id_, given.password, given.reason
        ),
        prepare=_open_to(Action.WITHDRAW),
        done=_document_page,
        api_endpoint="withdraw_document",
        api_summary="Sign the withdrawal (retiró): the version in force becomes obsolete",
        api_body=Withdraw,
        api_response=SignedVersion,
    ),
    SignedAction(
        name="periodic_review",
        rule=f"{DOCUMENT}/periodic-review",
        api_rule=f"/documents{DOCUMENT}/periodic-review",
        permission=P.DOCUMENT_PERIODIC_REVIEW,
        own=True,
        load=_in_force,
        form=CommentSignForm,
        page=PAGES["periodic_review"],
        sign=lambda s, actor, id_, given: approval.record_periodic_review(
            s, actor, id_, given.password, given.comment
        ),
        prepare=_periodic_review_open,
        done=_document_page,
        api_endpoint="periodic_review",
        api_summary='Sign "reviewed, no change": the next review date moves on',
        api_body=PeriodicReview,
        api_response=SignedVersion,
    ),
)
