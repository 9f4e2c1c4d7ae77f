"""Printing from the pages: a stamped PDF download of a version."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from flask_login import current_user

from qms.core.db import db
from qms.core.permissions import Permission, permission_required
from qms.documents.models import DocumentVersion
from qms.printing.services import print_uncontrolled_copy

bp = Blueprint("printing", __name__, url_prefix="/print")


@bp.get("/versions/<int:version_id>.pdf")
@permission_required(Permission.DOCUMENT_READ)
def uncontrolled(version_id: int) -> Response:
    version = db.session.get(DocumentVersion, version_id)
    document_id = version.document_id if version is not None else 0
    check_url = url_for("documents.show", document_id=document_id, _external=True)
    pdf, filename = print_uncontrolled_copy(
        db.session,
        current_app.extensions["qms_store"],
        current_user,
        version_id,
        page_size=request.args.get("size", "A4"),
        check_url=check_url,
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
