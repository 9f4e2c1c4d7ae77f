"""The dashboard (quality lead only), the register downloads and the report PDF."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook
from pypdf import PdfReader

from qms.capa import services
from qms.core.db import db
from qms.documents import approval
from tests.documents_fixtures import build_org, user
from tests.helpers import login, trail_events


def _nc(app, org):
    with app.app_context():
        nc = services.report_nonconformity(
            db.session,
            user(org.staff_id),
            source="supplier",
            process_id=org.process_id,
            title="Tóner defectuoso",
            description="Lote 44 sin rendimiento.",
            detected_on=approval.today(),
        )
        db.session.commit()
        return nc.id, nc.code


def test_dashboard_is_for_those_who_read_every_nonconformity(app, client):
    org = build_org(app)
    _nc(app, org)
    login(client, "sara")
    assert client.get("/nonconformities/dashboard").status_code == 403
    lead = app.test_client()
    login(lead, "ana")
    html = lead.get("/nonconformities/dashboard").get_data(as_text=True)
    assert "<svg" in html and "Atención al Cliente" in html


def test_register_and_report_downloads(app, client):
    org = build_org(app)
    nc_id, code = _nc(app, org)
    login(client, "sara")  # the reporter sees their own
    csv = client.get("/nonconformities/register.csv")
    assert csv.status_code == 200 and code in csv.get_data(as_text=True)
    today = approval.today()
    assert today.strftime("%d/%m/%Y") in csv.get_data(as_text=True)  # as the Spanish pages
    xlsx = client.get("/nonconformities/register.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    sheet = load_workbook(BytesIO(xlsx.data)).active
    assert "(America/Bogota)" in sheet["A1"].value
    assert sheet["G3"].value.date() == today and sheet["G3"].number_format == "dd/mm/yyyy"
    pdf = client.get(f"/nonconformities/{nc_id}.pdf")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert code in text and "Tóner defectuoso" in text
    assert today.strftime("%d/%m/%Y") in text and "UTC" not in text
    assert len(trail_events(app, "nonconformity:print")) == 1
    other = app.test_client()
    login(other, "raul")  # neither reporter nor leader of the process
    assert other.get(f"/nonconformities/{nc_id}.pdf").status_code == 404
