"""Document type pages: list, create, edit, deactivate and reactivate (quality leads)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.core.db import db
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.core.web import attach_error
from qms.documents import types as services
from qms.documents.models import DocumentType
from qms.documents.type_forms import (
    BLOCK_LABELS,
    STAGE_LABELS,
    ActivateTypeForm,
    DeactivateTypeForm,
    DocumentTypeCreateForm,
    DocumentTypeForm,
)
from qms.documents.urls import document_types_bp as bp
from qms.users.admin_forms import ROLE_LABELS
from qms.users.models import User

MANAGE = Permission.DOCUMENT_TYPE_MANAGE


def _user_names(types: list[DocumentType]) -> dict[int, str]:
    ids = {
        int(u)
        for t in types
        for stage in (t.route or {}).values()
        for u in (stage or {}).get("users") or []
    }
    if not ids:
        return {}
    rows = db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids)))
    return {int(row.id): row.full_name for row in rows}


def _render_index(status: int = 200) -> ResponseReturnValue:
    types = services.list_all_types(db.session, current_user)
    html = render_template(
        "documents/types.html",
        types=types,
        user_names=_user_names(types),
        role_labels=ROLE_LABELS,
        block_labels=BLOCK_LABELS,
        stage_labels=STAGE_LABELS,
        deactivate_form=DeactivateTypeForm(formdata=None),
        activate_form=ActivateTypeForm(formdata=None),
    )
    return html, status


def _user_choices(current: list[Any]) -> list[SelectChoice]:
    """Active users of any role (being named lets one sign the stage); those already named
    come first, in their route order."""
    users = db.session.scalars(sa.select(User).order_by(User.full_name)).all()
    by_id = {u.id: u for u in users}
    named = [by_id[int(i)] for i in current if int(i) in by_id]
    others = [u for u in users if u not in named and u.active]
    inactive = _l("inactive")
    return [
        SelectChoice(u.id, u.full_name if u.active else f"{u.full_name} ({inactive})")
        for u in named + others
    ]


def _prepare(form: DocumentTypeForm, doc_type: DocumentType | None) -> None:
    route = (doc_type.route if doc_type else None) or {}
    for stage in services.STAGES:
        current = (route.get(stage) or {}).get("users") or []
        form.set_user_choices(stage, _user_choices(current))


def _form_values(form: DocumentTypeForm) -> dict[str, Any]:
    return {
        "name": form.name.data or "",
        "abbreviation": (form.abbreviation.data or "").strip().upper(),
        "code_pattern": form.code_pattern.data or "",
        "default_blocks": form.default_blocks.data or [],
        "review_interval_months": form.review_interval_months.data,
        "route": form.route(),
        "is_external": bool(form.is_external.data),
        "distinct_signers": bool(form.distinct_signers.data),
        "orientation": form.orientation.data or "",
    }


def _render_form(form: DocumentTypeForm, doc_type: DocumentType | None) -> ResponseReturnValue:
    status = 400 if request.method == "POST" else 200
    html = render_template(
        "documents/type_form.html",
        form=form,
        doc_type=doc_type,
        stages=list(services.STAGES),
        stage_labels=STAGE_LABELS,
    )
    return html, status


@bp.get("/")
@permission_required(MANAGE)
def index() -> ResponseReturnValue:
    return _render_index()


@bp.route("/new", methods=["GET", "POST"])
@permission_required(MANAGE)
def create() -> ResponseReturnValue:
    form = DocumentTypeCreateForm()
    _prepare(form, None)
    if request.method == "GET":
        form.code_pattern.data = "{process}-{type}-{seq:02}"
        form.default_blocks.data = ["text"]
        form.review_interval_months.data = 24
        form.distinct_signers.data = True
        form.fill_route(
            {
                "review": {"roles": services.stage_roles("review"), "count": 1},
                "approval": {"roles": services.stage_roles("approval"), "count": 1},
            }
        )
    if form.validate_on_submit():
        try:
            doc_type = services.create_type(
                db.session, current_user, key=form.key.data or "", **_form_values(form)
            )
        except (ValidationFailed, Conflict) as error:
            attach_error(form, error)
        else:
            flash(_("Document type %(name)s created.", name=doc_type.name), "success")
            return redirect(url_for(".index"))
    return _render_form(form, None)


@bp.route("/<int:type_id>/edit", methods=["GET", "POST"])
@permission_required(MANAGE)
def edit(type_id: int) -> ResponseReturnValue:
    doc_type = services.get_type(db.session, type_id)
    form = DocumentTypeForm(obj=doc_type)
    _prepare(form, doc_type)
    if request.method == "GET":
        form.fill_route(doc_type.route or {})
    if form.validate_on_submit():
        try:
            services.update_type(db.session, current_user, doc_type.id, **_form_values(form))
        except (ValidationFailed, Conflict) as error:
            attach_error(form, error)
        else:
            flash(_("Document type %(name)s saved.", name=doc_type.name), "success")
            return redirect(url_for(".index"))
    return _render_form(form, doc_type)


@bp.post("/<int:type_id>/deactivate")
@permission_required(MANAGE)
def deactivate(type_id: int) -> ResponseReturnValue:
    doc_type = services.get_type(db.session, type_id)
    if not DeactivateTypeForm().validate_on_submit():
        return _render_index(400)
    services.set_type_active(db.session, current_user, doc_type.id, False)
    flash(_("Document type %(name)s deactivated.", name=doc_type.name), "success")
    return redirect(url_for(".index"))


@bp.post("/<int:type_id>/activate")
@permission_required(MANAGE)
def activate(type_id: int) -> ResponseReturnValue:
    doc_type = services.get_type(db.session, type_id)
    if not ActivateTypeForm().validate_on_submit():
        return _render_index(400)
    services.set_type_active(db.session, current_user, doc_type.id, True)
    flash(_("Document type %(name)s reactivated.", name=doc_type.name), "success")
    return redirect(url_for(".index"))
