"""The draft page's choice of printed orientation."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.documents.authoring import update_draft
from qms.documents.urls import documents_bp as bp
from qms.organisation.layout import ORIENTATION_LABELS


class OrientationForm(FlaskForm):
    orientation = RadioField(
        _l("Printed orientation"),
        choices=[
            SelectChoice("", _l("As its document type")),
            *(SelectChoice(key, label) for key, label in ORIENTATION_LABELS.items()),
        ],
        default="",
    )


@bp.post("/versions/<int:version_id>/orientation")
@permission_required(Permission.DOCUMENT_EDIT, own=True)
def print_orientation(version_id: int) -> ResponseReturnValue:
    form = OrientationForm()
    target = redirect(url_for(".edit", version_id=version_id, _anchor="print-layout"))
    if not form.validate_on_submit():
        flash(_("Choose portrait, landscape or the document type's orientation."), "error")
        return target
    try:
        update_draft(db.session, current_user, version_id, orientation=form.orientation.data or "")
    except ValidationFailed as error:
        flash(error.message, "error")
        return target
    flash(_("Printed orientation saved."), "success")
    return target
