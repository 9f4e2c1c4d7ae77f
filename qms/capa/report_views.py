"""The quality lead's dashboard, the register downloads and the nonconformity report PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from qms.capa import register
from qms.capa.dashboard import bar_chart, build_dashboard, percent
from qms.capa.forms import SOURCE_LABELS
from qms.capa.nc_filters import OPEN, read_filter, with_origins
from qms.capa.report_pdf import nonconformity_pdf
from qms.capa.urls import capa_reports_bp as bp
from qms.core.db import db
from qms.core.localtime import local_now
from qms.core.permissions import Permission, permission_required
from qms.core.spreadsheets import XLSX_TYPE
from qms.core.trail_actions import TrailAction
from qms.documents import approval
from qms.trail import services as trail

P = Permission


@bp.get("/dashboard")
@permission_required(P.NONCONFORMITY_READ_ALL)
def dashboard() -> str:
    board = build_dashboard(db.session, current_user, approval.today())

    # Each bar opens the list of the nonconformities it counts.
    def listed(**args: str) -> str:
        values: dict[str, Any] = {"state": OPEN, **args}
        return url_for("capa.index", **values)

    charts = {
        "process": bar_chart(
            board.by_process,
            _("Open nonconformities by process"),
            [listed(process=str(board.process_ids[name])) for name, _n in board.by_process],
        ),
        "source": bar_chart(
            [(str(SOURCE_LABELS.get(key, key)), n) for key, n in board.by_source],
            _("Open nonconformities by source"),
            [listed(source=key) for key, _n in board.by_source],
        ),
        "age": bar_chart(
            board.by_age,
            _("Open nonconformities by age (days)"),
            [listed(age=str(i)) for i in range(len(board.by_age))],
        ),
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
    now = local_now()
    response = Response(data, mimetype=mimetype)
    name = f"nonconformities-{now:%Y%m%d-%H%M%S}.{ext}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _register_rows(ext: str) -> list[list[Any]]:
    """The rows of the list page with the same query string, and the trail event of taking
    them away: who exported the register, as what, filtered how, how many rows."""
    found = read_filter(request.args)
    where = with_origins(found, approval.today())
    rows = register.register_rows(db.session, current_user, where)
    trail.record(
        db.session,
        TrailAction.NONCONFORMITY_EXPORT,
        "nonconformity",
        "",
        actor=current_user,
        after={"format": ext, "filters": found.args(), "rows": len(rows)},
    )
    return rows


@bp.get("/register.csv")
@permission_required(P.NONCONFORMITY_REPORT)
def register_csv() -> Response:
    rows = _register_rows("csv")
    return _download(register.csv_bytes(rows), "text/csv", "csv")


@bp.get("/register.xlsx")
@permission_required(P.NONCONFORMITY_REPORT)
def register_xlsx() -> Response:
    rows = _register_rows("xlsx")
    return _download(register.xlsx_bytes(rows, local_now()), XLSX_TYPE, "xlsx")


@bp.get("/<int:nc_id>.pdf")
@permission_required(P.NONCONFORMITY_REPORT)
def report_pdf(nc_id: int) -> Response:
    pdf, name = nonconformity_pdf(db.session, current_user, nc_id)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
