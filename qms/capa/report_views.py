"""The quality lead's dashboard, the register downloads and the nonconformity report PDF."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template
from flask_babel import gettext as _
from flask_login import current_user

from qms.capa import register
from qms.capa.dashboard import bar_chart, build_dashboard, percent
from qms.capa.forms import SOURCE_LABELS
from qms.capa.report_pdf import nonconformity_pdf
from qms.capa.urls import capa_reports_bp as bp
from qms.core.db import db
from qms.core.localtime import local_now
from qms.core.permissions import Permission, permission_required
from qms.core.spreadsheets import XLSX_TYPE
from qms.documents import approval

P = Permission


@bp.get("/dashboard")
@permission_required(P.NONCONFORMITY_READ_ALL)
def dashboard() -> str:
    board = build_dashboard(db.session, current_user, approval.today())
    charts = {
        "process": bar_chart(board.by_process, _("Open nonconformities by process")),
        "source": bar_chart(
            [(str(SOURCE_LABELS.get(key, key)), n) for key, n in board.by_source],
            _("Open nonconformities by source"),
        ),
        "age": bar_chart(board.by_age, _("Open nonconformities by age (days)")),
    }
    return render_template(
        "capa/dashboard.html",
        board=board,
        charts=charts,
        effectiveness=percent(board.effectiveness_rate),
        on_time=percent(board.pqrs_on_time_rate),
        today=approval.today(),
    )


def _download(data: bytes, mimetype: str, ext: str) -> Response:
    now = datetime.now(ZoneInfo(current_app.extensions["qms_settings"].timezone))
    response = Response(data, mimetype=mimetype)
    name = f"nonconformities-{now:%Y%m%d-%H%M%S}.{ext}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/register.csv")
@permission_required(P.NONCONFORMITY_REPORT)
def register_csv() -> Response:
    rows = register.register_rows(db.session, current_user)
    return _download(register.csv_bytes(rows), "text/csv", "csv")


@bp.get("/register.xlsx")
@permission_required(P.NONCONFORMITY_REPORT)
def register_xlsx() -> Response:
    rows = register.register_rows(db.session, current_user)
    return _download(register.xlsx_bytes(rows, local_now()), XLSX_TYPE, "xlsx")


@bp.get("/<int:nc_id>.pdf")
@permission_required(P.NONCONFORMITY_REPORT)
def report_pdf(nc_id: int) -> Response:
    pdf, name = nonconformity_pdf(db.session, current_user, nc_id)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
