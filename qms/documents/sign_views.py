"""Signing pages (submit, review, approve, reject, discard, withdraw, periodic review) and the
comparison of two versions. Each page shows exactly what is signed; the services do the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from qms.core.db import db
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, permission_required, require
from qms.core.web import attach_error, commit_despite_error
from qms.core.workflow import rule_for
from qms.documents import approval, diff
from qms.documents.integrity import stored_hash
from qms.documents.lifecycle import TRANSITIONS, Action
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.documents.queries import (
    can_see_version,
    get_document,
    get_version,
    version_in_force,
    visible_versions,
)
from qms.documents.sign_forms import (
    MEANING_LABELS,
    PAGES,
    STATE_LABELS,
    ApproveForm,
    CommentSignForm,
    DiscardForm,
    ReasonSignForm,
    SignForm,
)
from qms.documents.signing import SignatureRefused
from qms.documents.urls import signing_bp as bp

P = Permission


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


def _digest(version: DocumentVersion) -> str:
    """The hash the signature will carry: a draft's is computed as submitting will."""
    if version.state == VersionState.DRAFT:
        return stored_hash(db.session, version)
    return version.content_sha256


def _precheck(version: DocumentVersion, action: Action, form: Any) -> None:
    """Refuse the page early (409, 403) when the action is not open to this reader now."""
    rule = rule_for(TRANSITIONS, version.state, action)
    if rule.permission is not None:
        require(current_user, rule.permission, version)
    if rule.guard is not None:
        try:
            rule.guard(version, current_user)
        except ValidationFailed as error:
            attach_error(form, error)  # e.g. a missing change summary: say so before signing


def _handle(
    key: str,
    version: DocumentVersion,
    form: Any,
    call: Callable[[], Any],
    *,
    action: Action | None = None,
    done: str | None = None,
) -> Any:
    """GET shows the page; a valid POST for the content shown signs, then goes to the version."""
    page = PAGES[key]
    digest = _digest(version)
    status = 200
    if request.method == "GET":
        form.content_sha256.data = digest
        if action is not None:
            _precheck(version, action, form)
    elif not form.validate_on_submit():
        status = 400
    elif form.content_sha256.data != digest:
        raise Conflict(_("The content changed since you opened this page; read it again."))
    else:
        try:
            call()
        except SignatureRefused as error:
            commit_despite_error()  # the refused attempt stays in the trail
            attach_error(form, error)
            status = 403
        except ValidationFailed as error:
            attach_error(form, error)
            status = 400
        else:
            flash(str(page.done), "success")
            db.session.refresh(version)
            # A reviewer from another process may no longer read the version once it moves on:
            # send them to their work list rather than to a 404.
            if done is None and not can_see_version(current_user, version):
                return redirect(url_for("home.dashboard"))
            return redirect(done or version_url(version))
    html = render_template(
        "documents/sign.html",
        page=page,
        form=form,
        version=version,
        digest=digest,
        meaning_labels=MEANING_LABELS,
        state_labels=STATE_LABELS,
        back_url=version_url(version),
        action_url=request.path,
    )
    return html, status


def _version(version_id: int) -> DocumentVersion:
    return get_version(db.session, current_user, version_id)


def _in_force(document_id: int) -> tuple[Document, DocumentVersion]:
    document = get_document(db.session, current_user, document_id)
    current = version_in_force(db.session, document.id)
    if current is None:
        raise Conflict(_("The document has no version in force."))
    return document, current


@bp.route("/versions/<int:version_id>/submit", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_EDIT, own=True)
def submit(version_id: int):  # type: ignore[no-untyped-def]
    version, form = _version(version_id), SignForm()
    return _handle(
        Action.SUBMIT,
        version,
        form,
        lambda: approval.submit_version(
            db.session, current_user, version.id, form.password.data or ""
        ),
        action=Action.SUBMIT,
    )


@bp.route("/versions/<int:version_id>/review", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_SIGN)  # the version's route names the signers
def review(version_id: int):  # type: ignore[no-untyped-def]
    version, form = _version(version_id), CommentSignForm()
    return _handle(
        Action.REVIEW,
        version,
        form,
        lambda: approval.review_version(
            db.session,
            current_user,
            version.id,
            form.password.data or "",
            form.comment.data or "",
        ),
        action=Action.REVIEW,
    )


@bp.route("/versions/<int:version_id>/approve", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_SIGN)  # the version's route names the signers
def approve(version_id: int):  # type: ignore[no-untyped-def]
    version, form = _version(version_id), ApproveForm()
    if request.method == "GET":
        form.effective_from.data = approval.today()
    return _handle(
        Action.APPROVE,
        version,
        form,
        lambda: approval.approve_version(
            db.session,
            current_user,
            version.id,
            form.password.data or "",
            effective_from=form.effective_from.data,
            comment=form.comment.data or "",
        ),
        action=Action.APPROVE,
    )


@bp.route("/versions/<int:version_id>/reject", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_SIGN)  # the version's route names the signers
def reject(version_id: int):  # type: ignore[no-untyped-def]
    version, form = _version(version_id), ReasonSignForm()
    return _handle(
        Action.REJECT,
        version,
        form,
        lambda: approval.reject_version(
            db.session, current_user, version.id, form.password.data or "", form.reason.data or ""
        ),
        action=Action.REJECT,
    )


@bp.route("/versions/<int:version_id>/discard", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_EDIT, own=True)
def discard(version_id: int):  # type: ignore[no-untyped-def]
    version, form = _version(version_id), DiscardForm()
    return _handle(
        Action.DISCARD,
        version,
        form,
        lambda: approval.discard_draft(
            db.session, current_user, version.id, form.reason.data or ""
        ),
        action=Action.DISCARD,
        done=_url("documents.show", document_id=version.document_id),
    )


@bp.route("/<int:document_id>/withdraw", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_WITHDRAW)
def withdraw(document_id: int):  # type: ignore[no-untyped-def]
    document, current = _in_force(document_id)
    form = ReasonSignForm()
    return _handle(
        Action.WITHDRAW,
        current,
        form,
        lambda: approval.withdraw_document(
            db.session, current_user, document.id, form.password.data or "", form.reason.data or ""
        ),
        action=Action.WITHDRAW,
        done=document_url(document),
    )


@bp.route("/<int:document_id>/periodic-review", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_PERIODIC_REVIEW, own=True)
def periodic_review(document_id: int):  # type: ignore[no-untyped-def]
    document, current = _in_force(document_id)
    if request.method == "GET":
        require(current_user, P.DOCUMENT_PERIODIC_REVIEW, document)
    form = CommentSignForm()
    return _handle(
        "periodic_review",
        current,
        form,
        lambda: approval.record_periodic_review(
            db.session,
            current_user,
            document.id,
            form.password.data or "",
            form.comment.data or "",
        ),
        done=document_url(document),
    )


@bp.get("/<int:document_id>/compare")
@permission_required(P.DOCUMENT_READ)
def compare(document_id: int):  # type: ignore[no-untyped-def]
    document = get_document(db.session, current_user, document_id)
    versions = visible_versions(db.session, current_user, document)
    a_id, b_id = request.args.get("a", type=int), request.args.get("b", type=int)
    if a_id is None and b_id is None and len(versions) >= 2:
        a_id, b_id = versions[-2].id, versions[-1].id  # by default, what the last version changed
    old = new = comparison = None
    if a_id is not None and b_id is not None:
        old, new = _document_version(document, a_id), _document_version(document, b_id)
        comparison = diff.compare_content(old.content or [], new.content or [])
    return render_template(
        "documents/compare.html",
        document=document,
        versions=versions,
        old=old,
        new=new,
        comparison=comparison,
        state_labels=STATE_LABELS,
        back_url=document_url(document),
    )


def _document_version(document: Document, version_id: int) -> DocumentVersion:
    """A version of this document the reader may see; any other answers 404."""
    version = get_version(db.session, current_user, version_id)
    if version.document_id != document.id:
        raise NotFound(_("Version not found."))
    return version
