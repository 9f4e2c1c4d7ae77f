"""Document pages: each action refused without the permission, done and recorded with it."""

from __future__ import annotations

import io
import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval, authoring
from qms.documents.models import Attachment, DocumentVersion, VersionState
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import PASSWORD, csrf_token, login, make_user, trail_events


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def make_effective(app: Flask, org: Org, version_id: int) -> None:
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()


def effective_with_draft(app: Flask, org: Org) -> tuple[int, int, int]:
    """A document with v1 in force and a v2 draft; returns (document, v1, v2) ids."""
    document_id, v1 = new_document(app, org, text="Texto vigente.")
    make_effective(app, org, v1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session,
            user(org.owner_id),
            draft.id,
            content=[{"kind": "text", "text": "Texto en borrador."}],
            change_summary="Cambio.",
        )
        db.session.commit()
        return document_id, v1, draft.id


def attach(app: Flask, org: Org, version_id: int, name: str, data: bytes) -> int:
    with app.app_context():
        found = authoring.add_attachment(
            db.session,
            app.extensions["qms_store"],
            user(org.owner_id),
            version_id,
            data=data,
            filename=name,
            media_type="text/html",
        )
        db.session.commit()
        return found.id


def text_post(client: FlaskClient, version_id: int, text: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, "/dashboard"),
        "blocks-0-kind": "text",
        "blocks-0-origin": "0",
        "blocks-0-text": text,
        "change_summary": "",
        "op": "save",
        **extra,
    }
    return client.post(f"/documents/versions/{version_id}/edit", data=data)


@pytest.mark.sql
def test_staff_reads_the_version_in_force_only(app: Flask, org: Org) -> None:
    document_id, v1, v2 = effective_with_draft(app, org)
    in_force = attach(app, org, v2, "anexo.pdf", b"v2 only")
    staff = signed_in(app, "sara")
    assert b"AC-PR-01" in staff.get("/documents/").data
    page = staff.get(f"/documents/{document_id}")
    assert page.status_code == 200
    assert "Texto vigente." in page.get_data(as_text=True)
    assert "Texto en borrador." not in page.get_data(as_text=True)
    assert staff.get(f"/documents/versions/{v1}").status_code == 200
    assert staff.get(f"/documents/versions/{v2}").status_code == 404
    assert staff.get(f"/documents/attachments/{in_force}").status_code == 404
    assert staff.get(f"/documents/versions/{v2}/edit").status_code == 403


@pytest.mark.sql
def test_staff_sees_no_document_without_a_version_in_force(app: Flask, org: Org) -> None:
    document_id, _ = new_document(app, org)
    staff = signed_in(app, "sara")
    assert b"AC-PR-01" not in staff.get("/documents/").data
    assert staff.get(f"/documents/{document_id}").status_code == 404


def test_owner_edits_the_draft_and_it_is_recorded(app: Flask, org: Org) -> None:
    document_id, version_id = new_document(app, org)
    owner = signed_in(app, "olga")
    assert owner.get(f"/documents/{document_id}").status_code == 200
    assert owner.get(f"/documents/versions/{version_id}/edit").status_code == 200
    response = text_post(owner, version_id, "## Objetivo\n\nAtender bien.")
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(DocumentVersion, version_id)
        assert stored.content == [{"kind": "text", "text": "## Objetivo\n\nAtender bien."}]
    events = trail_events(app, "document:edit_draft")
    assert events[-1].object_id == str(version_id) and events[-1].actor_name


@pytest.mark.sql
def test_owner_of_another_process_cannot_see_or_edit_the_draft(app: Flask, org: Org) -> None:
    document_id, version_id = new_document(app, org)
    before = len(trail_events(app, "document:edit_draft"))
    make_user(app, "pablo", ["process_owner"])
    other = signed_in(app, "pablo")  # a process owner, but not of AC
    assert other.get(f"/documents/{document_id}").status_code == 404
    assert other.get(f"/documents/versions/{version_id}").status_code == 404
    assert other.get(f"/documents/versions/{version_id}/edit").status_code == 404
    assert text_post(other, version_id, "Intruso").status_code == 404
    assert len(trail_events(app, "document:edit_draft")) == before


def test_blocks_are_added_moved_and_removed(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    owner = signed_in(app, "olga")
    assert text_post(owner, version_id, "uno", op="add_table").status_code == 302
    table = {
        "blocks-1-kind": "table",
        "blocks-1-origin": "1",
        "blocks-1-title": "Roles",
        "blocks-1-table": "Rol | Tarea\nLíder | Aprueba\nA \\| B | línea\\nnueva",
    }
    assert text_post(owner, version_id, "uno", op="up-1", **table).status_code == 302
    with app.app_context():
        content = db.session.get(DocumentVersion, version_id).content
    assert content[0] == {
        "kind": "table",
        "title": "Roles",
        "columns": ["Rol", "Tarea"],
        "rows": [["Líder", "Aprueba"], ["A | B", "línea\nnueva"]],
    }
    assert content[1] == {"kind": "text", "text": "uno"}
    html = owner.get(f"/documents/versions/{version_id}/edit").get_data(as_text=True)
    assert "A \\| B | línea\\nnueva" in html  # the editor round-trips escapes
    assert text_post(owner, version_id, "x", op="remove-0").status_code == 302
    with app.app_context():
        assert db.session.get(DocumentVersion, version_id).content == []


def test_bad_table_text_is_refused_and_nothing_is_stored(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    before = len(trail_events(app, "document:edit_draft"))
    owner = signed_in(app, "olga")
    table = {
        "blocks-1-kind": "table",
        "blocks-1-origin": "",
        "blocks-1-title": "",
        "blocks-1-table": "A | B | C\n1 | 2",
    }
    response = text_post(owner, version_id, "cambiado", **table)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "blocks-1-table-error" in html
    with app.app_context():
        assert db.session.get(DocumentVersion, version_id).content[0]["text"] == "uno"
    assert len(trail_events(app, "document:edit_draft")) == before


def test_markdown_with_script_is_sanitised(app: Flask, org: Org) -> None:
    _, version_id = new_document(
        app, org, text="<script>alert(1)</script> [x](javascript:alert(2))"
    )
    html = signed_in(app, "olga").get(f"/documents/versions/{version_id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "javascript:" not in html


@pytest.mark.parametrize("role", ["staff", "process_owner"])
def test_create_refused_without_permission(client_as, app: Flask, org: Org, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_as(role)
    data = {"csrf_token": csrf_token(client, "/dashboard"), "title": "Nuevo"}
    data.update(type_id="1", process_id=str(org.process_id), retention_years="5")
    response = client.post("/documents/new", data=data)
    # Staff are stopped at the edge; a process owner of no process by the service.
    assert response.status_code in (400, 403)
    assert trail_events(app, "document:create") == []


def test_quality_lead_creates_a_document(app: Flask, org: Org) -> None:
    lead = signed_in(app, "ana")
    page = lead.get("/documents/new")
    assert page.status_code == 200
    with app.app_context():
        from tests.documents_fixtures import type_id

        procedure = type_id("procedure")
    data = {
        "csrf_token": csrf_token(lead, "/documents/new"),
        "type_id": str(procedure),
        "process_id": str(org.process_id),
        "title": "Atención de PQRS",
        "owner_id": str(org.owner_id),
        "parent_id": "",
        "review_interval_months": "",
        "retention_years": "5",
    }
    response = lead.post("/documents/new", data=data)
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    [event] = trail_events(app, "document:create")
    assert json.loads(event.after)["code"] == "AC-PR-01"


def test_attachment_upload_and_download(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org)
    owner = signed_in(app, "olga")
    refused = owner.post(
        f"/documents/versions/{version_id}/attachments",
        data={
            "csrf_token": csrf_token(owner, f"/documents/versions/{version_id}/edit"),
            "file": (io.BytesIO(b"<html><script>alert(1)</script></html>"), "acta.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 415 and "página web" in refused.get_data(as_text=True)
    assert trail_events(app, "document:attach") == []
    payload = b"%PDF-1.4 <html><script>alert(1)</script></html>\x00\xff"
    data = {
        "csrf_token": csrf_token(owner, f"/documents/versions/{version_id}/edit"),
        "file": (io.BytesIO(payload), "../../etc/passwd", "text/html"),
    }
    response = owner.post(
        f"/documents/versions/{version_id}/attachments",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [event] = trail_events(app, "document:attach")
    with app.app_context():
        stored = db.session.get(Attachment, json.loads(event.after)["attachment"])
        assert stored.filename == "passwd"
    download = owner.get(f"/documents/attachments/{stored.id}")
    assert download.status_code == 200 and download.data == payload
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''passwd" in disposition
    assert "/" not in disposition.split("filename", 1)[1]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"  # what its bytes are, never HTML


def test_attachment_removal_pair(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org)
    attachment_id = attach(app, org, version_id, "informe.pdf", b"%PDF-1.4")
    staff = signed_in(app, "sara")
    token = csrf_token(staff, "/dashboard")
    url = f"/documents/attachments/{attachment_id}/remove"
    refused = staff.post(url, data={"csrf_token": token})
    assert refused.status_code == 403 and trail_events(app, "document:detach") == []
    owner = signed_in(app, "olga")
    token = csrf_token(owner, "/dashboard")
    done = owner.post(url, data={"csrf_token": token})
    assert done.status_code == 302
    [event] = trail_events(app, "document:detach")
    assert json.loads(event.before)["filename"] == "informe.pdf"
    with app.app_context():
        assert db.session.get(Attachment, attachment_id) is None


def test_superseded_version_is_marked(app: Flask, org: Org) -> None:
    _, v1, v2 = effective_with_draft(app, org)
    make_effective(app, org, v2)
    html = signed_in(app, "ana").get(f"/documents/versions/{v1}").get_data(as_text=True)
    assert "stale-mark" in html
    assert "SUPERSEDED" in html or "DESACTUALIZADO" in html


def test_start_draft_pair(app: Flask, org: Org) -> None:
    document_id, v1 = new_document(app, org)
    make_effective(app, org, v1)
    staff = signed_in(app, "sara")
    url = f"/documents/{document_id}/new-version"
    refused = staff.post(url, data={"csrf_token": csrf_token(staff, "/dashboard")})
    assert refused.status_code == 403 and trail_events(app, "document:start_draft") == []
    owner = signed_in(app, "olga")
    done = owner.post(url, data={"csrf_token": csrf_token(owner, "/dashboard")})
    assert done.status_code == 302 and "/edit" in done.headers["Location"]
    [event] = trail_events(app, "document:start_draft")
    assert json.loads(event.after)["number"] == 2


def test_correct_code_pair(app: Flask, org: Org) -> None:
    document_id, _ = new_document(app, org)
    url = f"/documents/{document_id}/code"
    owner = signed_in(app, "olga")
    data = {"csrf_token": csrf_token(owner, "/dashboard"), "code": "AC-PR-09", "reason": "Typo"}
    assert owner.post(url, data=data).status_code == 403
    lead = signed_in(app, "ana")
    data["csrf_token"] = csrf_token(lead, "/dashboard")
    assert lead.post(url, data=data).status_code == 302
    [event] = trail_events(app, "document:correct_code")
    assert json.loads(event.after) == {"code": "AC-PR-09"} and event.reason == "Typo"
    assert lead.post(url, data={**data, "reason": ""}).status_code == 400


def test_show_lists_history_and_links_for_the_owner(app: Flask, org: Org) -> None:
    document_id, v1, v2 = effective_with_draft(app, org)
    make_user(app, "aud", ["auditor"])
    html = signed_in(app, "olga").get(f"/documents/{document_id}").get_data(as_text=True)
    assert f"/documents/versions/{v2}/edit" in html
    assert f"/documents/versions/{v1}" in html and "Jefe de Atención" in html
    auditor_html = signed_in(app, "aud").get(f"/documents/{document_id}").get_data(as_text=True)
    assert f"/documents/versions/{v2}/edit" not in auditor_html
    with app.app_context():
        assert db.session.get(DocumentVersion, v2).state == VersionState.DRAFT
