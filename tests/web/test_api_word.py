"""Word in the API: preview and import for those who may import (staff refused, nothing
stored), and any visible version exported as .docx; the operations are in the OpenAPI
document."""

from __future__ import annotations

import io

import docx
import sqlalchemy as sa
from flask import Flask

from qms.blobs.filetypes import DOCX
from qms.core.db import db
from qms.documents.models import Document
from tests.documents_fixtures import build_org
from tests.helpers import bearer_for, trail_events
from tests.word_examples import EXPECTED, example_docx

PROCEDURE = "mantener-relaciones"


def test_preview_then_import_then_export(app: Flask) -> None:
    org = build_org(app)
    client, lead = app.test_client(), bearer_for(app, org.approver_id)
    data = example_docx(PROCEDURE)
    preview = client.post(
        "/api/v1/documents/import/preview?filename=pd.docx", data=data, headers=lead
    )
    assert preview.status_code == 200, preview.get_json()
    read = preview.get_json()
    assert (read["code"], read["number"]) == ("PD-GCR-MR-002", EXPECTED[PROCEDURE].number)
    assert [b["kind"] for b in read["blocks"]] == list(EXPECTED[PROCEDURE].kinds)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    imported = client.post("/api/v1/documents/import?filename=pd.docx", data=data, headers=lead)
    assert imported.status_code == 200, imported.get_json()
    report = imported.get_json()
    assert report["state"] == "effective" and report["history"] >= 1
    again = client.post("/api/v1/documents/import?filename=pd.docx", data=data, headers=lead)
    assert again.status_code == 409
    exported = client.get(f"/api/v1/versions/{report['version_id']}/export.docx", headers=lead)
    assert exported.status_code == 200 and exported.mimetype == DOCX
    tables = docx.Document(io.BytesIO(exported.data)).tables
    assert any("Manifestar pqrsl" in cell.text for t in tables for cell in t._cells)


def test_staff_may_not_import_through_the_api(app: Flask) -> None:
    org = build_org(app)
    client = app.test_client()
    refused = client.post(
        "/api/v1/documents/import?filename=pd.docx",
        data=example_docx(PROCEDURE),
        headers=bearer_for(app, org.staff_id),
    )
    assert refused.status_code == 403
    assert trail_events(app, "document:import") == []


def test_the_operations_are_documented(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/documents/import"]
    assert "post" in paths["/documents/import/preview"]
    assert "get" in paths["/versions/{version_id}/export.docx"]
