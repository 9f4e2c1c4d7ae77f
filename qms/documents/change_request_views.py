"""Change-request pages: list, show, file (for a document or a new one), accept, reject."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.links import optional_url
from qms.core.permissions import Permission, can, permission_required
from qms.core.web import attach_error
from qms.documents import change_requests as services
from qms.documents.change_request_forms import (
    KIND_LABELS,
    STATE_LABELS,
    AcceptForm,
    DocumentChangeRequestForm,
    FilterForm,
    NewDocumentRequestForm,
    RejectForm,
)
from qms.documents.links import document_url
from qms.documents.models import ChangeRequest, ChangeRequestKind, DocumentType
from qms.documents.queries import get_document, list_types
from qms.documents.urls import change_requests_bp as bp
from qms.processes.models import Process
from qms.users.models import User

P = Permission


def withdraw_url(document_id: int | None) -> str | None:
    if not document_id:
        return None
    return optional_url("signing.withdraw", document_id=document_id) or document_url(document_id)


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "document_url": document_url,
        "withdraw_url": withdraw_url,
        "optional_url": optional_url,
    }


@bp.get("/")
@permission_required(P.CHANGE_REQUEST_CREATE)
def index() -> str:
    filters = FilterForm(formdata=request.args)
    # Read leniently: an unknown value falls back to its default, never a 400.
    state = filters.state.data if filters.state.data in {*STATE_LABELS, "all"} else "open"
    kind = filters.kind.data if filters.kind.data in KIND_LABELS else None
    filters.state.data, filters.kind.data = state, kind or ""
    wanted = None if state == "all" else state
    mine = services.list_change_requests(
        db.session, current_user, mine=True, state=wanted, kind=kind
    )
    everyone = None
    if services.sees_all(current_user):
        everyone = services.list_change_requests(db.session, current_user, state=wanted, kind=kind)
    return render_template(
        "documents/change_requests.html",
        filters=filters,
        mine=mine,
        everyone=everyone,
        **_labels(),
    )


@bp.get("/<int:request_id>")
@permission_required(P.CHANGE_REQUEST_CREATE)
def show(request_id: int) -> ResponseReturnValue:
    change_request = services.get_change_request(db.session, current_user, request_id)
    return _render_show(change_request)


def _render_show(
    change_request: ChangeRequest, status: int = 200, **forms: Any
) -> ResponseReturnValue:
    session = db.session
    values = {
        "accept_form": AcceptForm(formdata=None),
        "reject_form": RejectForm(formdata=None),
        **forms,
    }
    html = render_template(
        "documents/change_request.html",
        cr=change_request,
        proposed_type=session.get(DocumentType, change_request.proposed_type_id or 0),
        proposed_process=session.get(Process, change_request.proposed_process_id or 0),
        decided_by=session.get(User, change_request.decided_by_id or 0),
        versions=services.versions_of(session, change_request.id),
        may_decide=can(current_user, P.CHANGE_REQUEST_DECIDE),
        **values,
        **_labels(),
    )
    return html, status


@bp.route("/new", methods=["GET", "POST"])
@permission_required(P.CHANGE_REQUEST_CREATE)
def new() -> ResponseReturnValue:
    document_id = request.args.get("document_id", type=int)
    document = get_document(db.session, current_user, document_id) if document_id else None
    form: Any
    if document is not None:
        form = DocumentChangeRequestForm()
        if request.method == "GET":
            form.kind.data = request.args.get("kind") or ChangeRequestKind.MODIFY.value
    else:
        form = NewDocumentRequestForm()
        processes = db.session.scalars(
            sa.select(Process).where(Process.active.is_(True)).order_by(Process.code)
        ).all()
        form.set_choices(list_types(db.session), list(processes))
    if form.validate_on_submit():
        try:
            if document is not None:
                filed = services.file_change_request(
                    db.session, current_user, form.kind.data, form.reason.data or "", document.id
                )
            else:
                filed = services.file_change_request(
                    db.session,
                    current_user,
                    ChangeRequestKind.CREATE.value,
                    form.reason.data or "",
                    proposed_title=form.proposed_title.data or "",
                    proposed_type_id=form.proposed_type_id.data,
                    proposed_process_id=form.proposed_process_id.data,
                )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Change request filed."), "success")
            return redirect(url_for(".show", request_id=filed.id))
    status = 400 if request.method == "POST" else 200
    html = render_template(
        "documents/change_request_new.html", form=form, document=document, **_labels()
    )
    return html, status


@bp.post("/<int:request_id>/accept")
@permission_required(P.CHANGE_REQUEST_DECIDE)
def accept(request_id: int) -> ResponseReturnValue:
    change_request = services.get_change_request(db.session, current_user, request_id)
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            services.accept_change_request(
                db.session, current_user, change_request.id, form.reason.data or ""
            )
        except ValidationFailed as error:
            # Undo the half-made decision now, so that the page shows the request still open.
            db.session.rollback()
            change_request = services.get_change_request(db.session, current_user, request_id)
            attach_error(form, error)
        else:
            flash(_("Change request accepted."), "success")
            return redirect(url_for(".show", request_id=change_request.id))
    return _render_show(change_request, 400, accept_form=form)


@bp.post("/<int:request_id>/reject")
@permission_required(P.CHANGE_REQUEST_DECIDE)
def reject(request_id: int) -> ResponseReturnValue:
    change_request = services.get_change_request(db.session, current_user, request_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            services.reject_change_request(
                db.session, current_user, change_request.id, form.reason.data or ""
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Change request rejected."), "success")
            return redirect(url_for(".show", request_id=change_request.id))
    return _render_show(change_request, 400, reject_form=form)
