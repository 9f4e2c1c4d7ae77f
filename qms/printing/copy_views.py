"""Pages of the controlled-copy register and the recall list."""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.core.web import attach_error
from qms.documents.queries import get_version
from qms.organisation.identity import default_paper
from qms.printing import copies
from qms.printing.urls import copies_bp as bp


class IssueForm(FlaskForm):
    holder = StringField(
        _l("Holder (person or location)"), validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Issue controlled copy"))


class AcknowledgeForm(FlaskForm):
    submit = SubmitField(_l("Acknowledge return"))


@bp.get("/versions/<int:version_id>")
@permission_required(Permission.COPY_READ)
def register(version_id: int) -> ResponseReturnValue:
    """The register: quality leads and auditors read it; only the first issue copies."""
    version = get_version(db.session, current_user, version_id)
    return _register_page(version, IssueForm(), 200)


def _register_page(version: Any, form: IssueForm, status: int) -> Any:
    listed = copies.copies_of(db.session, current_user, version.id)
    return render_template(
        "printing/register.html", version=version, copies=listed, form=form
    ), status


@bp.post("/versions/<int:version_id>")
@permission_required(Permission.COPY_ISSUE)
def issue(version_id: int) -> ResponseReturnValue:
    version = get_version(db.session, current_user, version_id)
    form = IssueForm()
    if form.validate_on_submit():
        try:
            copy = copies.issue_controlled_copy(
                db.session, current_user, version.id, form.holder.data or ""
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Controlled copy No. %(n)d issued.", n=copy.copy_number), "success")
            return redirect(url_for(".register", version_id=version.id))
    return _register_page(version, form, 400)


@bp.get("/<int:copy_id>.pdf")
@permission_required(Permission.COPY_ISSUE)
def print_copy(copy_id: int) -> Response:
    pdf, filename = copies.print_controlled_copy(
        db.session,
        current_app.extensions["qms_store"],
        current_user,
        copy_id,
        page_size=request.args.get("size") or default_paper(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/recalls")
@permission_required(Permission.COPY_READ)
def recalls() -> str:
    outstanding = copies.outstanding_recalls(db.session, current_user)
    return render_template("printing/recalls.html", copies=outstanding, form=AcknowledgeForm())


@bp.post("/<int:copy_id>/acknowledge")
@permission_required(Permission.COPY_RECALL)
def acknowledge(copy_id: int) -> ResponseReturnValue:
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        return render_template(
            "printing/recalls.html",
            form=form,
            copies=copies.outstanding_recalls(db.session, current_user),
        ), 400
    copy = copies.acknowledge_recall(db.session, current_user, copy_id)
    flash(_("Return of copy No. %(n)d acknowledged.", n=copy.copy_number), "success")
    return redirect(url_for(".recalls"))
