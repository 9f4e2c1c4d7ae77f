"""A process's sheet lists what the reader may see of it; the map draws each active process in
its lane, linked to its sheet, with hostile names escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from flask import Flask

from qms.capa.services import report_nonconformity
from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import update_draft
from qms.processes.services import create_process
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import Org, new_document, through_approval, user
from tests.helpers import csrf_token, login

INDICATORS = {
    "kind": "indicators",
    "title": "Indicadores",
    "rows": [
        {
            "name": "Oportunidad de respuesta PQRS",
            "formula": "PQRS a tiempo / PQRS recibidas",
            "target": "95 %",
            "frequency": "Mensual",
            "responsible": "Jefe de Atención",
        }
    ],
}


def _nc(app: Flask, reporter_id: int, process_id: int, title: str) -> None:
    with app.app_context():
        report_nonconformity(
            db.session,
            user(reporter_id),
            source="process",
            process_id=process_id,
            title=title,
            description="Respuesta fuera de término.",
            detected_on=approval.today(),
        )
        db.session.commit()


def test_sheet_lists_what_the_reader_may_see(app: Flask) -> None:
    org = build_audit_org(app)
    docs = Org(org.leader_id, org.member_id, org.lead_id, org.staff_id, org.ac_id)
    _, version_id = new_document(app, docs, title="Caracterización de Atención")
    with app.app_context():
        content = [{"kind": "text", "text": "Objetivo."}, INDICATORS]
        update_draft(db.session, user(org.leader_id), version_id, content=content)
        db.session.commit()
    through_approval(app, docs, version_id)
    new_document(app, docs, title="Borrador sin aprobar")
    _nc(app, org.staff_id, org.ac_id, "Respuesta tardía a un reclamo")
    _nc(app, org.outsider_id, org.ac_id, "Reporte ajeno de otra persona")
    audit_id = planned_audit(app, org, programme_for(app, org))

    client = app.test_client()
    login(client, "sara")  # staff of AC, auditee of the audit, reporter of one NC
    html = client.get(f"/processes/{org.ac_id}").get_data(as_text=True)

    assert "Caracterización de Atención" in html
    assert f'href="/documents/versions/{version_id}"' in html
    assert "Borrador sin aprobar" not in html  # a draft is not in force
    assert "Oportunidad de respuesta PQRS" in html and "95 %" in html
    assert "Respuesta tardía a un reclamo" in html
    assert "Reporte ajeno de otra persona" not in html  # hidden from her: not listed
    assert f'href="/audits/{audit_id}"' in html

    outsider = app.test_client()
    login(outsider, "pedro")  # neither in the audit nor the reporter of either NC
    other = outsider.get(f"/processes/{org.ac_id}").get_data(as_text=True)
    assert f'href="/audits/{audit_id}"' not in other
    assert "Respuesta tardía a un reclamo" not in other
    assert "Caracterización de Atención" in other  # in force: everyone reads it


def _svg(html: str) -> ET.Element:
    found = re.search(r"<svg[^>]*process-map-svg.*?</svg>", html, re.S)
    assert found is not None
    # Well-formed: every name was escaped.
    return ET.fromstring(found.group(0))  # noqa: S314 (our own output, not untrusted XML)


def test_map_draws_each_active_process_in_its_lane(app: Flask, client_as: Any) -> None:
    hostile = '<script>alert("x")</script> & Compañía'
    ids = {}
    with app.app_context():
        for code, kind, name in [
            ("DE", "strategic", "Direccionamiento Estratégico"),
            ("AC", "core", "Atención al Cliente"),
            ("PS", "core", "Prestación del servicio de larga duración con nombre muy extenso"),
            ("TH", "support", hostile),
            ("MC", "evaluation", "Medición, análisis y mejora"),
            ("OLD", "support", "Proceso retirado"),
        ]:
            process = create_process(
                db.session, None, code=code, name=name, type=kind, bypass_permission=True
            )
            ids[code] = process.id
        db.session.commit()
    admin = client_as("admin")
    token = csrf_token(admin, f"/processes/{ids['OLD']}")
    admin.post(
        f"/processes/{ids['OLD']}/deactivate", data={"reason": "Fusionado", "csrf_token": token}
    )

    page = client_as("staff").get("/processes/map")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert(" in html
    svg = _svg(html)
    ns = "{http://www.w3.org/2000/svg}"
    lanes = {g.get("data-lane-key"): g for g in svg.iter(f"{ns}g") if g.get("data-lane-key")}
    assert list(lanes) == ["strategic", "core", "support", "evaluation"]
    drawn = {
        a.get("data-process"): (key, a.get("href"))
        for key, lane in lanes.items()
        for a in lane.iter(f"{ns}a")
    }
    assert drawn == {
        "DE": ("strategic", f"/processes/{ids['DE']}"),
        "AC": ("core", f"/processes/{ids['AC']}"),
        "PS": ("core", f"/processes/{ids['PS']}"),
        "TH": ("support", f"/processes/{ids['TH']}"),
        "MC": ("evaluation", f"/processes/{ids['MC']}"),
    }
    # A long name wraps onto lines that fit the box rather than one line running out of it.
    ps = next(a for a in svg.iter(f"{ns}a") if a.get("data-process") == "PS")
    assert len(list(ps.iter(f"{ns}text"))) >= 3
    assert 'href="/processes/map"' in admin.get("/processes/").get_data(as_text=True)
