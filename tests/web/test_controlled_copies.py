"""Controlled copies: issue, print with holder, recall list after supersession, acknowledge."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader

from qms.core.db import db
from qms.documents import authoring
from qms.printing.models import ControlledCopy
from tests.documents_fixtures import build_org, new_document, through_approval, user
from tests.helpers import csrf_token, login, make_user, trail_events


@pytest.fixture
def setup(app):
    org = build_org(app)
    document_id, version_id = new_document(app, org)
    through_approval(app, org, version_id)
    lead = app.test_client()
    login(lead, "ana")
    return org, document_id, version_id, lead


def _issue(client, version_id, holder):
    token = csrf_token(client, f"/copies/versions/{version_id}")
    return client.post(
        f"/copies/versions/{version_id}", data={"holder": holder, "csrf_token": token}
    )


def test_quality_lead_issues_numbered_copies_and_prints_them(app, setup):
    _, _, version_id, lead = setup
    assert _issue(lead, version_id, "Recepción — sede Tunja").status_code == 302
    assert _issue(lead, version_id, "Jefe de Atención").status_code == 302
    with app.app_context():
        copies = db.session.query(ControlledCopy).order_by(ControlledCopy.copy_number).all()
        assert [(c.copy_number, c.holder) for c in copies] == [
            (1, "Recepción — sede Tunja"),
            (2, "Jefe de Atención"),
        ]
        first_id = copies[0].id
    assert len(trail_events(app, "copy:issue")) == 2
    response = lead.get(f"/copies/{first_id}.pdf")
    assert response.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    assert "COPIA CONTROLADA N° 1" in text and "Recepción — sede Tunja" in text
    [printed] = trail_events(app, "document:print")
    assert '"copy":"controlled"' in printed.after and '"copy_number":1' in printed.after


def test_staff_cannot_issue_copies(app, setup):
    _, _, version_id, _ = setup
    staff = app.test_client()
    login(staff, "sara")
    token = csrf_token(staff, "/dashboard")
    response = staff.post(
        f"/copies/versions/{version_id}", data={"holder": "x", "csrf_token": token}
    )
    assert response.status_code == 403
    assert trail_events(app, "copy:issue") == []


def test_an_auditor_reads_the_register_and_the_recall_list_but_issues_nothing(app, setup):
    _, _, version_id, lead = setup
    assert _issue(lead, version_id, "Recepción — sede Tunja").status_code == 302
    make_user(app, "auditora", ["auditor"])
    auditor = app.test_client()
    login(auditor, "auditora")
    register = auditor.get(f"/copies/versions/{version_id}")
    assert register.status_code == 200
    assert "Recepción — sede Tunja" in register.text and 'name="holder"' not in register.text
    assert auditor.get("/copies/recalls").status_code == 200
    token = csrf_token(auditor, "/dashboard")
    refused = auditor.post(
        f"/copies/versions/{version_id}", data={"holder": "x", "csrf_token": token}
    )
    assert refused.status_code == 403
    assert len(trail_events(app, "copy:issue")) == 1


def test_copy_of_a_superseded_version_stays_on_the_recall_list_until_acknowledged(app, setup):
    org, document_id, version_id, lead = setup
    _issue(lead, version_id, "Archivo central")
    assert "Archivo central" not in lead.get("/copies/recalls").get_data(as_text=True)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session, user(org.owner_id), draft.id, change_summary="Ajuste del objetivo."
        )
        db.session.commit()
        v2 = draft.id
    through_approval(app, org, v2)
    page = lead.get("/copies/recalls").get_data(as_text=True)
    assert "Archivo central" in page
    with app.app_context():
        copy_id = db.session.query(ControlledCopy.id).scalar()
    assert lead.get(f"/copies/{copy_id}.pdf").status_code == 409  # recalled, not reprinted
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = lead.post(f"/copies/{copy_id}/acknowledge", data={"csrf_token": token})
    assert done.status_code == 302
    assert "Archivo central" not in lead.get("/copies/recalls").get_data(as_text=True)
    [event] = trail_events(app, "copy:recall_acknowledge")
    assert event.actor_name == "ana"
    again = lead.post(f"/copies/{copy_id}/acknowledge", data={"csrf_token": token})
    assert again.status_code == 409
