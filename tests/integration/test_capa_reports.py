"""The register (CSV, XLSX) and the quality lead's dashboard figures and charts."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from qms.capa import register, services
from qms.capa.dashboard import bar_chart, build_dashboard
from qms.core.db import db
from qms.core.errors import PermissionDenied
from qms.documents import approval
from tests.documents_fixtures import build_org, user


def _report(org, title, days_ago):
    return services.report_nonconformity(
        db.session,
        user(org.staff_id),
        source="internal_audit",
        process_id=org.process_id,
        title=title,
        description="d",
        detected_on=approval.today() - timedelta(days=days_ago),
    )


def test_register_exports_escape_formulas_and_keep_dates(app):
    org = build_org(app)
    with app.test_request_context():
        _report(org, '=HYPERLINK("http://x")', 3)
        rows = register.register_rows(db.session, user(org.approver_id))
        parsed = list(csv.reader(io.StringIO(register.csv_bytes(rows).decode("utf-8-sig"))))
        assert parsed[0][0] == "Código" and parsed[1][5].startswith("'=HYPERLINK")
        book = load_workbook(io.BytesIO(register.xlsx_bytes(rows, datetime(2026, 11, 23, 9))))
        sheet = book.active
        assert sheet["F3"].value == '=HYPERLINK("http://x")' and sheet["F3"].data_type == "s"
        assert isinstance(sheet["G3"].value, datetime)
        # Staff see only what they reported: someone else's is not in their register.
        assert register.register_rows(db.session, user(org.reviewer_id)) == []


@pytest.mark.sql
def test_dashboard_counts_open_by_age_and_draws_bars(app):
    org = build_org(app)
    with app.test_request_context():
        for title, days in (("a", 5), ("b", 45), ("c", 120)):
            _report(org, title, days)
        board = build_dashboard(db.session, user(org.approver_id), approval.today())
        assert board.open_total == 3
        assert board.by_age == [("0–30", 1), ("31–60", 1), ("61–90", 0), ("> 90", 1)]
        assert board.by_process == [("Atención al Cliente", 3)]
        assert board.effectiveness_rate is None and board.pqrs_on_time_rate is None
        svg = str(bar_chart(board.by_age, "Antigüedad <días>"))
        assert svg.count("<rect") == 4 and "Antigüedad &lt;días&gt;" in svg
        with pytest.raises(PermissionDenied):
            build_dashboard(db.session, user(org.staff_id), date.today())


@pytest.mark.slow
def test_the_nonconformity_report_pdf_holds_the_analysis_actions_check_and_trail(app):
    from pypdf import PdfReader

    from qms.capa import treatment
    from qms.capa.report_pdf import nonconformity_pdf
    from tests.helpers import PASSWORD, trail_events

    org = build_org(app)
    with app.test_request_context():
        lead, owner = user(org.approver_id), user(org.owner_id)
        nc = _report(org, "PQRS respondida fuera de término", 2)
        services.accept_nonconformity(db.session, lead, nc.id)
        services.contain_nonconformity(db.session, lead, nc.id, "Respuesta enviada al cliente")
        treatment.analyse_nonconformity(
            db.session,
            lead,
            nc.id,
            action_needed=True,
            method="five_whys",
            data={"whys": ["No se vio el vencimiento", "El tablero no alerta"]},
        )
        action = treatment.add_action(
            db.session,
            lead,
            nc.id,
            kind="corrective",
            description="Alerta de vencimiento",
            owner_id=owner.id,
            due_on=approval.today() + timedelta(days=5),
        )
        treatment.approve_plan(
            db.session, lead, nc.id, check_due_on=approval.today(), check_criterion="Cero tardías"
        )
        treatment.update_action(db.session, owner, action.id, evidence="Tablero v2", done=True)
        treatment.sign_effectiveness(
            db.session, lead, nc.id, result="effective", evidence="Muestra", password=PASSWORD
        )
        treatment.close_nonconformity(db.session, lead, nc.id)
        pdf, name = nonconformity_pdf(db.session, lead, nc.id)
        db.session.commit()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert name == f"{nc.code}.pdf" and nc.code in text
    for expected in (
        "El tablero no alerta",
        "Alerta de vencimiento",
        "Cero tardías",
        "Ana",
        "nonconformity:close",
        "Causa raíz",
    ):
        assert expected in text, expected
    assert len(trail_events(app, "nonconformity:print")) == 1
