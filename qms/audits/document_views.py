"""The audit plan and the audit report as PDF downloads, for whoever may see the audit."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from qms.audits.pdf import audit_plan_pdf, audit_report_pdf
from qms.audits.urls import audit_documents_bp as bp
from qms.core.db import db
from qms.core.permissions import Permission, permission_required

P = Permission


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@bp.get("/<int:audit_id>/plan.pdf")
@permission_required(P.AUDIT_READ_ALL, own=True)
def plan_pdf(audit_id: int) -> Response:
    """Hidden audits are 404 (services.get_audit); the print is in the trail."""
    return _pdf(*audit_plan_pdf(db.session, current_user, audit_id))


@bp.get("/<int:audit_id>/report.pdf")
@permission_required(P.AUDIT_READ_ALL, own=True)
def report_pdf(audit_id: int) -> Response:
    return _pdf(*audit_report_pdf(db.session, current_user, audit_id))
