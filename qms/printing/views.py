"""Printing from the pages: choose the copy and the paper, download the stamped PDF."""

from __future__ import annotations

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from qms.core.db import db
from qms.core.permissions import Permission, can, permission_required
from qms.documents.in_force import is_in_force
from qms.documents.queries import get_version
from qms.organisation.identity import default_paper
from qms.printing import copies
from qms.printing.forms import PrintForm
from qms.printing.urls import printing_bp as bp


@bp.get("/versions/<int:version_id>")
@permission_required(Permission.DOCUMENT_READ)
def choose(version_id: int) -> str:
    version = get_version(db.session, current_user, version_id)
    form = PrintForm(formdata=None)
    form.size.data = default_paper()
    choices = [SelectChoice(0, _("Uncontrolled copy"))]
    if is_in_force(version) and can(current_user, Permission.COPY_ISSUE):
        choices += [
            SelectChoice(
                c.id, _("Controlled copy No. %(n)d — %(holder)s", n=c.copy_number, holder=c.holder)
            )
            for c in copies.copies_of(db.session, current_user, version.id)
        ]
    form.copy.choices = choices
    return render_template("printing/print.html", version=version, form=form)


@bp.get("/versions/<int:version_id>.pdf")
@permission_required(Permission.DOCUMENT_READ)
def uncontrolled(version_id: int) -> Response:
    """The PDF; `?copy=<id>` prints that controlled copy (quality leads), `?size=Letter`."""
    copy_id = request.args.get("copy", 0, type=int) or None
    pdf, filename = copies.print_copy(
        db.session,
        current_app.extensions["qms_store"],
        current_user,
        version_id,
        controlled_copy_id=copy_id,
        page_size=request.args.get("size") or default_paper(),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
