"""Word from the pages: download a version as .docx (hidden versions answer 404)."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from qms.blobs.attached import content_disposition
from qms.blobs.filetypes import DOCX
from qms.core.db import db
from qms.core.permissions import Permission, permission_required
from qms.word.urls import word_bp as bp
from qms.word.writing import version_docx


@bp.get("/versions/<int:version_id>/export.docx")
@permission_required(Permission.DOCUMENT_READ)
def export_docx(version_id: int) -> Response:
    filename, data = version_docx(db.session, current_user, version_id)
    return Response(
        data, mimetype=DOCX, headers={"Content-Disposition": content_disposition(filename)}
    )
