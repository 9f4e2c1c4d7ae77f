"""Printing from the pages: a stamped PDF download of a version."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from qms.core.db import db
from qms.core.permissions import Permission, permission_required
from qms.printing.services import print_uncontrolled_copy
from qms.printing.verify_views import verification_url

bp = Blueprint("printing", __name__, url_prefix="/print")


@bp.get("/versions/<int:version_id>.pdf")
@permission_required(Permission.DOCUMENT_READ)
def uncontrolled(version_id: int) -> Response:
    pdf, filename = print_uncontrolled_copy(
        db.session,
        current_app.extensions["qms_store"],
        current_user,
        version_id,
        page_size=request.args.get("size", "A4"),
        check_url=verification_url(version_id),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
