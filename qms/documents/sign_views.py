"""Signing pages (submit, review, approve, reject, discard, withdraw, periodic review: the
entries of `qms.documents.signed_actions`, one generic view) and the comparison of two
versions. Each page shows exactly what is signed; the services do the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.core.signed_actions import SignedAction, Signing
from qms.core.web import attach_error
from qms.documents import diff
from qms.documents.integrity import stored_hash
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.documents.queries import can_see_version, get_document, get_version, visible_versions
from qms.documents.sign_forms import MEANING_LABELS, STATE_LABELS
from qms.documents.signed_actions import SIGNED_ACTIONS, document_url, version_url
from qms.documents.urls import signing_bp as bp

P = Permission


def _digest(version: DocumentVersion) -> str:
    """The hash the signature will carry: a draft's is computed as submitting will."""
    if version.state == VersionState.DRAFT:
        return stored_hash(db.session, version)
    return version.content_sha256


def signing_from(form: Any) -> Signing:
    """What the signer gave on the form: the fields of `Signing` the form has."""

    def text(name: str) -> str:
        field = getattr(form, name, None)
        return (field.data or "") if field is not None else ""

    effective = getattr(form, "effective_from", None)
    return Signing(
        password=text("password"),
        comment=text("comment"),
        reason=text("reason"),
        effective_from=effective.data if effective is not None else None,
    )


def sign_page(action: SignedAction, object_id: int) -> Any:
    """GET shows the page; a valid POST for the content shown signs, then goes on."""
    version = action.load(db.session, current_user, object_id)
    form = action.form()
    digest = _digest(version)
    status = 200
    if request.method == "GET":
        form.content_sha256.data = digest
        action.prepare(version, current_user, form)
    elif not form.validate_on_submit():
        status = 400
    elif form.content_sha256.data != digest:
        raise Conflict(_("The content changed since you opened this page; read it again."))
    else:
        try:
            action.sign(db.session, current_user, object_id, signing_from(form))
        except ValidationFailed as error:
            # A refused signature (403) stays in the trail: attach_error keeps recorded errors.
            attach_error(form, error)
            status = error.status_code
        else:
            flash(str(action.page.done), "success")
            db.session.refresh(version)
            done = action.done(version)
            # A reviewer from another process may no longer read the version once it moves on:
            # send them to their work list rather than to a 404.
            if done is None and not can_see_version(current_user, version):
                return redirect(url_for("home.dashboard"))
            return redirect(done or version_url(version))
    html = render_template(
        action.template,
        page=action.page,
        form=form,
        version=version,
        digest=digest,
        meaning_labels=MEANING_LABELS,
        state_labels=STATE_LABELS,
        back_url=version_url(version),
        action_url=request.path,
    )
    return html, status


def _page_view(action: SignedAction) -> Callable[..., Any]:
    def view(**path: int) -> Any:
        return sign_page(action, path[action.path_arg])

    view.__name__ = view.__qualname__ = action.name
    return permission_required(action.permission, own=action.own)(view)


for _action in SIGNED_ACTIONS:
    bp.add_url_rule(_action.rule, view_func=_page_view(_action), methods=["GET", "POST"])


@bp.get("/<int:document_id>/compare")
@permission_required(P.DOCUMENT_READ)
def compare(document_id: int) -> ResponseReturnValue:
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
