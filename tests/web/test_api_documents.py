"""Document control through the API: the lifecycle with signatures, visibility, refusals, races.

Tests marked `sql` (visibility, races, constraints) also run on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.api.registry import shape_name
from qms.api.views import api
from qms.core.db import db
from qms.documents.authoring import add_attachment
from qms.documents.models import DocumentVersion
from qms.processes.services import set_members
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import PASSWORD, bearer_for, make_user, trail_events
from tests.web.test_api_shapes import assert_matches, assert_no_secrets


@pytest.fixture
def org(app: Flask) -> Org:
    """Olga owns and leads AC; Raúl, a member of AC, reviews; Ana leads quality; Sara is staff."""
    found = build_org(app)
    with app.app_context():
        set_members(db.session, user(found.approver_id), found.process_id, [found.reviewer_id])
        db.session.commit()
    return found


@pytest.fixture
def as_(app: Flask, org: Org) -> dict[str, dict[str, str]]:
    """Bearer headers by role in the story: owner, reviewer, lead, staff."""
    ids = {"owner": org.owner_id, "reviewer": org.reviewer_id, "lead": org.approver_id}
    return {name: bearer_for(app, uid) for name, uid in {**ids, "staff": org.staff_id}.items()}


def call(
    client: FlaskClient, method: str, path: str, who: dict[str, str], status: int, **body: Any
) -> Any:
    """One API call, its status checked and its body checked against the declared schema."""
    response = client.open(f"/api/v1{path}", method=method, headers=who, json=body or None)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    schema = _declared_schema(method, path) if status == 200 else "Error"
    assert_matches(response.json, schema)
    return response.json


def _declared_schema(method: str, path: str) -> str:
    parts = path.split("?")[0].strip("/").split("/")
    for op in api.operations:
        rule = op.rule.strip("/").split("/")
        same = len(rule) == len(parts) and all(
            r == p or r.startswith("<") for r, p in zip(rule, parts, strict=True)
        )
        if same and op.method == method:
            return shape_name(op.response)
    raise AssertionError(f"no operation for {method} {path}")


def _state(app: Flask, version_id: int) -> str:
    with app.app_context():
        found = db.session.get(DocumentVersion, version_id)
        assert found is not None
        return found.state


def _through(client: FlaskClient, as_: dict, version_id: int) -> dict[str, Any]:
    pw = PASSWORD
    call(client, "POST", f"/versions/{version_id}/submit", as_["owner"], 200, password=pw)
    call(client, "POST", f"/versions/{version_id}/review", as_["reviewer"], 200, password=pw)
    return call(client, "POST", f"/versions/{version_id}/approve", as_["lead"], 200, password=pw)


@pytest.mark.sql
def test_draft_to_effective_and_superseded_through_the_api(app, client, as_):
    created = call(
        client, "POST", "/documents", as_["owner"], 200,
        type="procedure", process="ac", title="Atención de PQRS",
    )  # fmt: skip
    assert created["code"] == "AC-PR-01" and created["in_force"] is None
    v1 = created["open_version"]["id"]
    blocks = [{"kind": "text", "text": "Objetivo: responder a tiempo."}]
    edited = call(client, "PATCH", f"/versions/{v1}", as_["owner"], 200, content=blocks)
    assert edited["content"] == blocks and edited["state"] == "draft"

    submitted = call(client, "POST", f"/versions/{v1}/submit", as_["owner"], 200, password=PASSWORD)
    assert submitted["version"]["state"] == "in_review"
    reviewed = call(
        client, "POST", f"/versions/{v1}/review", as_["reviewer"], 200,
        password=PASSWORD, comment="Conforme.",
    )  # fmt: skip
    assert reviewed["version"]["state"] == "in_approval"
    approved = call(client, "POST", f"/versions/{v1}/approve", as_["lead"], 200, password=PASSWORD)
    version = approved["version"]
    assert version["state"] == "effective" and version["effective_from"]
    signed = [(s["meaning"], s["printed_name"], s["job_title"]) for s in version["signatures"]]
    assert signed == [
        ("authored", "Olga", "Jefe de Atención"),
        ("reviewed", "Raul", "Coordinador"),
        ("approved", "Ana", "Líder de Calidad"),
    ]
    assert {s["content_sha256"] for s in version["signatures"]} == {version["content_sha256"]}
    by_action = {e.action: e for e in trail_events(app) if e.action.startswith("document:")}
    for action, actor in [
        ("document:create", "olga"),
        ("document:edit_draft", "olga"),
        ("document:submit", "olga"),
        ("document:review", "raul"),
        ("document:approve", "ana"),
    ]:
        assert by_action[action].actor_name == actor
    assert "document:take_effect" in by_action

    document = call(client, "GET", f"/documents/{created['id']}", as_["staff"], 200)
    assert document["in_force"]["id"] == v1 and document["next_review_on"]
    assert document["open_version"] is None
    v2 = call(client, "POST", f"/documents/{created['id']}/versions", as_["owner"], 200)["id"]
    call(client, "PATCH", f"/versions/{v2}", as_["owner"], 200, change_summary="Nuevo alcance.")
    _through(client, as_, v2)
    assert (_state(app, v1), _state(app, v2)) == ("superseded", "effective")
    history = call(client, "GET", f"/documents/{created['id']}/versions", as_["lead"], 200)
    assert [(r["number"], r["state"]) for r in history["items"]] == [
        (2, "effective"),
        (1, "superseded"),
    ]
    assert history["items"][0]["reviewed"] == ["Raul — Coordinador"]


@pytest.mark.sql
def test_staff_sees_only_the_version_in_force_and_its_files(app, client, org, as_):
    document_id, v1 = new_document(app, org)
    with app.app_context():
        store = app.extensions["qms_store"]
        attached = add_attachment(
            db.session, store, user(org.owner_id), v1,
            data=b"%PDF-1.4 flujo", filename="flujo.pdf", media_type="application/pdf",
        )  # fmt: skip
        db.session.commit()
        file_path = f"/versions/{v1}/attachments/{attached.id}"
    staff = as_["staff"]
    assert client.get(f"/api/v1/versions/{v1}", headers=staff).status_code == 404
    assert client.get(f"/api/v1{file_path}", headers=staff).json["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/documents/{document_id}", headers=staff).status_code == 404
    assert call(client, "GET", "/documents", staff, 200)["items"] == []
    owner_view = call(client, "GET", f"/versions/{v1}", as_["owner"], 200)
    assert owner_view["attachments"][0]["filename"] == "flujo.pdf"

    _through(client, as_, v1)
    seen = call(client, "GET", f"/versions/{v1}", staff, 200)
    assert [s["meaning"] for s in seen["signatures"]] == ["authored", "reviewed", "approved"]
    download = client.get(f"/api/v1{file_path}", headers=staff)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 flujo"
    assert download.mimetype == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    listed = call(client, "GET", "/documents?process=AC&type=procedure&q=pqrs", staff, 200)
    assert [d["code"] for d in listed["items"]] == ["AC-PR-01"]
    assert call(client, "GET", "/documents?type=manual", staff, 200)["items"] == []
    types = call(client, "GET", "/document-types", staff, 200)
    assert "procedure" in {t["key"] for t in types["items"]}
    assert_no_secrets(app, str(seen) + str(listed))


def test_author_cannot_approve_own_version(app, client, org, as_):
    created = call(
        client, "POST", "/documents", as_["lead"], 200,
        type="procedure", process_id=org.process_id, title="Control de registros",
        owner_id=org.owner_id,
    )  # fmt: skip
    version_id = created["open_version"]["id"]
    call(client, "POST", f"/versions/{version_id}/submit", as_["lead"], 200, password=PASSWORD)
    call(client, "POST", f"/versions/{version_id}/review", as_["reviewer"], 200, password=PASSWORD)
    refused = call(
        client, "POST", f"/versions/{version_id}/approve", as_["lead"], 403, password=PASSWORD
    )
    assert refused["error"]["code"] == "forbidden"
    assert _state(app, version_id) == "in_approval"
    assert not trail_events(app, "document:approve")


def test_wrong_password_is_refused_recorded_and_changes_nothing(app, client, org, as_):
    _, version_id = new_document(app, org)
    call(client, "POST", f"/versions/{version_id}/submit", as_["owner"], 200, password=PASSWORD)
    refused = call(
        client, "POST", f"/versions/{version_id}/review", as_["reviewer"], 403, password="nope"
    )
    assert refused["error"] == {
        **refused["error"],
        "code": "signature_refused",
        "field": "password",
    }
    assert _state(app, version_id) == "in_review"
    [event] = trail_events(app, "signature:refused")
    assert event.actor_name == "raul" and '"reviewed"' in event.after
    assert not trail_events(app, "document:review")


@pytest.mark.sql
def test_second_approval_of_the_same_version_is_a_conflict(app, client, org, as_):
    _, version_id = new_document(app, org)
    _through(client, as_, version_id)
    other_lead = make_user(app, "luis", ["quality_lead"])
    again = call(
        client, "POST", f"/versions/{version_id}/approve", bearer_for(app, other_lead.id), 409,
        password=PASSWORD,
    )  # fmt: skip
    assert again["error"]["code"] == "conflict"
    assert len(trail_events(app, "document:approve")) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": [{"kind": "video", "url": "x"}]}, "content"),
        ({"content": [{"kind": "table", "columns": ["a"], "rows": [["1", "2"]]}]}, "content"),
        ({"content": "just text"}, "content"),
        ({"contents": []}, "contents"),
    ],
)
def test_invalid_draft_edits_are_400_and_store_nothing(app, client, org, as_, body, field):
    _, version_id = new_document(app, org)
    before = call(client, "GET", f"/versions/{version_id}", as_["owner"], 200)["content"]
    edits = len(trail_events(app, "document:edit_draft"))
    response = client.patch(f"/api/v1/versions/{version_id}", headers=as_["owner"], json=body)
    assert response.status_code == 400
    assert response.json["error"]["field"] == field
    assert call(client, "GET", f"/versions/{version_id}", as_["owner"], 200)["content"] == before
    assert len(trail_events(app, "document:edit_draft")) == edits


def test_body_must_be_json_with_the_required_fields(client, org, as_):
    response = client.post("/api/v1/documents", headers=as_["owner"], data="title=x")
    assert response.status_code == 400 and response.json["error"]["field"] == "body"
    missing = call(client, "POST", "/documents", as_["owner"], 400, type="procedure")
    assert missing["error"]["field"] == "title"
    unknown_type = call(
        client, "POST", "/documents", as_["owner"], 400, type="memo", process="AC", title="X"
    )
    assert unknown_type["error"]["field"] == "type"
    bad_date = call(
        client, "POST", "/versions/1/approve", as_["lead"], 400,
        password=PASSWORD, effective_from="mañana",
    )  # fmt: skip
    assert bad_date["error"]["field"] == "effective_from"


def test_staff_cannot_create_or_sign(client, org, as_):
    call(client, "POST", "/documents", as_["staff"], 403, type="procedure", process="AC", title="X")
    # Staff pass the edge (a route may name them); a version not waiting for them is hidden.
    call(client, "POST", "/versions/1/approve", as_["staff"], 404, password=PASSWORD)


def test_reject_discard_withdraw_and_periodic_review(app, client, org, as_):
    document_id, version_id = new_document(app, org)
    call(client, "POST", f"/versions/{version_id}/submit", as_["owner"], 200, password=PASSWORD)
    no_reason = call(
        client, "POST", f"/versions/{version_id}/reject", as_["reviewer"], 400, password=PASSWORD
    )
    assert no_reason["error"]["field"] == "reason"
    rejected = call(
        client, "POST", f"/versions/{version_id}/reject", as_["reviewer"], 200,
        password=PASSWORD, reason="Falta el alcance.",
    )  # fmt: skip
    assert rejected["signature"]["meaning"] == "rejected"
    assert rejected["version"]["state"] == "draft"
    _through(client, as_, version_id)

    reviewed = call(
        client, "POST", f"/documents/{document_id}/periodic-review", as_["owner"], 200,
        password=PASSWORD, comment="Sin cambios.",
    )  # fmt: skip
    assert reviewed["signature"]["meaning"] == "periodic_review"
    assert trail_events(app, "document:periodic_review")

    draft = call(client, "POST", f"/documents/{document_id}/versions", as_["owner"], 200)
    call(client, "POST", f"/documents/{document_id}/versions", as_["owner"], 409)
    discarded = call(
        client, "POST", f"/versions/{draft['id']}/discard", as_["owner"], 200, reason="No aplica."
    )
    assert discarded["state"] == "discarded"

    call(client, "POST", f"/documents/{document_id}/withdraw", as_["owner"], 403,
         password=PASSWORD, reason="x")  # fmt: skip
    withdrawn = call(
        client, "POST", f"/documents/{document_id}/withdraw", as_["lead"], 200,
        password=PASSWORD, reason="El proceso cambió.",
    )  # fmt: skip
    assert withdrawn["version"]["state"] == "obsolete"
    assert withdrawn["signature"]["meaning"] == "withdrawn"
    assert trail_events(app, "document:withdraw")[0].reason == "El proceso cambió."


def test_openapi_documents_every_document_route(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    expected = {
        "/document-types": {"get"},
        "/documents": {"get", "post"},
        "/documents/{document_id}": {"get"},
        "/documents/{document_id}/versions": {"get", "post"},
        "/versions/{version_id}": {"get", "patch"},
        "/versions/{version_id}/attachments/{attachment_id}": {"get"},
        "/versions/{version_id}/submit": {"post"},
        "/versions/{version_id}/review": {"post"},
        "/versions/{version_id}/approve": {"post"},
        "/versions/{version_id}/reject": {"post"},
        "/versions/{version_id}/discard": {"post"},
        "/documents/{document_id}/withdraw": {"post"},
        "/documents/{document_id}/periodic-review": {"post"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    approve = paths["/versions/{version_id}/approve"]["post"]
    body = approve["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Approve"}
    assert {"200", "400", "401", "403", "404", "409"} <= set(approve["responses"])
    assert (
        "*/*"
        in paths["/versions/{version_id}/attachments/{attachment_id}"]["get"]["responses"]["200"][
            "content"
        ]
    )
