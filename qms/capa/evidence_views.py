"""Evidence files on the nonconformity page: upload (multipart, CSRF) and download."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.blobs.attached import download_headers
from qms.capa.evidence import attach_evidence, read_evidence
from qms.capa.forms import EvidenceForm
from qms.capa.urls import capa_bp as bp
from qms.capa.views import step
from qms.core.db import db
from qms.core.permissions import Permission, permission_required


@bp.post("/<int:nc_id>/evidence")
@permission_required(Permission.NONCONFORMITY_REPORT)
def attach(nc_id: int) -> ResponseReturnValue:
    form = EvidenceForm()

    def call(nc: Any) -> None:
        upload = form.file.data
        attach_evidence(
            db.session,
            current_app.extensions["qms_store"],
            current_user,
            nc.id,
            data=upload.stream,
            filename=upload.filename or "",
            media_type=upload.mimetype or "",
            action_id=form.action_id.data or None,
        )

    return step(nc_id, "evidence_form", form, call, _("File attached."))


@bp.get("/evidence/<int:evidence_id>")
@permission_required(Permission.NONCONFORMITY_REPORT)
def evidence(evidence_id: int) -> Response:
    store = current_app.extensions["qms_store"]
    found, data = read_evidence(db.session, store, current_user, evidence_id)
    return Response(data, headers=download_headers(found))
