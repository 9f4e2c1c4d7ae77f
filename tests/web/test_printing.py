"""Printing a version: a stamped PDF read back with pypdf, on record, cached, visibility kept."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from qms.core.db import db
from qms.documents import approval
from qms.printing.models import PdfRendition
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, login, trail_events

TABLE = {
    "kind": "table",
    "title": "SIPOC",
    "columns": ["Proveedores", "Actividades"],
    "rows": [
        ["Proceso de Direccionamiento", "Definir el plan de acción"],
        ["Entes de control", "Atender requerimientos de afiliados"],
    ],
}


@pytest.fixture
def effective(app):
    org = build_org(app)
    _, version_id = new_document(app, org, title="Caracterización Atención al Cliente")
    with app.app_context():
        from qms.documents.authoring import update_draft

        update_draft(
            db.session,
            user(org.owner_id),
            version_id,
            content=[{"kind": "text", "text": "**Objetivo:** atención oportuna."}, TABLE],
        )
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return org, version_id


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_staff_prints_the_version_in_force_with_its_stamp(app, client, effective):
    _, version_id = effective
    login(client, "sara")
    response = client.get(f"/print/versions/{version_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "AC-PR-01" in text and "Caracterización Atención al Cliente" in text
    assert "COPIA NO CONTROLADA" in text and "Sara" in text  # accents and names print
    assert "Definir el plan de acción" in text and "Atender requerimientos de afiliados" in text
    assert "PÁGINA" in text and re.search(r"\b1 de \d+", text)
    assert "Elaboró" in text and "Olga" in text and "Líder de Calidad" in text
    [event] = trail_events(app, "document:print")
    assert event.actor_name == "sara" and '"copy":"uncontrolled"' in event.after


def test_a_second_copy_reuses_the_cached_base_pdf(app, client, effective):
    _, version_id = effective
    login(client, "sara")
    first = client.get(f"/print/versions/{version_id}.pdf")
    second = client.get(f"/print/versions/{version_id}.pdf")
    assert first.status_code == second.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PdfRendition.id))) == 1
    assert len(trail_events(app, "document:print")) == 2


def test_staff_cannot_print_a_draft_but_its_owner_gets_the_draft_mark(app, client):
    org = build_org(app)
    _, version_id = new_document(app, org)
    login(client, "sara")
    assert client.get(f"/print/versions/{version_id}.pdf").status_code == 404
    assert trail_events(app, "document:print") == []
    owner = app.test_client()
    login(owner, "olga")
    response = owner.get(f"/print/versions/{version_id}.pdf")
    assert response.status_code == 200
    assert "BORRADOR" in _text(response.data)


def test_anonymous_is_sent_to_sign_in(client, effective):
    _, version_id = effective
    response = client.get(f"/print/versions/{version_id}.pdf")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
