"""Change requests, document types, attachments, code correction, master list and my work
through the API: allowed/denied pairs, each change with its trail event, bad input stores
nothing. Tests marked `sql` (visibility, races, constraints) also run on PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents.models import Attachment, DocumentVersion
from tests.documents_fixtures import Org, new_document, type_id
from tests.helpers import PASSWORD, bearer_for, make_user, trail_events
from tests.web.test_api_documents import _through, as_, call, org
from tests.web.test_api_shapes import assert_matches

# The fixtures of the lifecycle tests (both backends, the organisation, tokens by role).
FIXTURES = (as_, org)


def _effective(app: Flask, org: Org, client: FlaskClient, as_: dict, **kw: Any) -> int:
    document_id, version_id = new_document(app, org, **kw)
    _through(client, as_, version_id)
    return document_id


def _count(app: Flask, action: str) -> int:
    return len(trail_events(app, action))


# --- Change requests -----------------------------------------------------------------------


def test_change_request_filed_listed_accepted_and_rejected(app, client, org, as_):
    document_id = _effective(app, org, client, as_)
    staff, lead = as_["staff"], as_["lead"]
    filed = call(
        client, "POST", "/change-requests", staff, 200,
        kind="modify", reason="El plazo cambió.", document_id=document_id,
    )  # fmt: skip
    assert filed["state"] == "open" and filed["document_code"] == "AC-PR-01"
    [event] = trail_events(app, "change_request:create")
    assert event.actor_name == "sara" and event.reason == "El plazo cambió."
    new = call(
        client, "POST", "/change-requests", staff, 200, kind="create", reason="Hace falta.",
        proposed_title="Encuestas", proposed_type_id=_type(app, "procedure"),
        proposed_process_id=org.process_id,
    )  # fmt: skip
    assert [r["id"] for r in call(client, "GET", "/change-requests", staff, 200)["items"]] == [
        new["id"],
        filed["id"],
    ]
    assert call(client, "GET", "/change-requests?mine=true", lead, 200)["items"] == []
    assert len(call(client, "GET", "/change-requests", lead, 200)["items"]) == 2

    path = f"/change-requests/{filed['id']}"
    call(client, "POST", f"{path}/accept", staff, 403, reason="Sí.")
    assert call(client, "POST", f"{path}/accept", lead, 400)["error"]["field"] == "body"
    assert not trail_events(app, "change_request:accept")
    accepted = call(client, "POST", f"{path}/accept", lead, 200, reason="Procede.")
    assert accepted["state"] == "accepted" and len(accepted["version_ids"]) == 1
    draft = call(client, "GET", f"/versions/{accepted['version_ids'][0]}", as_["owner"], 200)
    assert draft["state"] == "draft" and draft["author_id"] == org.owner_id
    assert trail_events(app, "change_request:accept")[0].actor_name == "ana"
    # The requester sees the request, not the draft opened from it.
    assert call(client, "GET", path, staff, 200)["version_ids"] == []
    again = call(client, "POST", f"{path}/accept", lead, 409, reason="Otra vez.")
    assert again["error"]["code"] == "conflict"
    assert _count(app, "change_request:accept") == 1

    rejecting = f"/change-requests/{new['id']}/reject"
    call(client, "POST", rejecting, staff, 403, reason="No.")
    assert call(client, "POST", rejecting, lead, 400, reason="  ")["error"]["field"] == "reason"
    assert not trail_events(app, "change_request:reject")
    rejected = call(client, "POST", rejecting, lead, 200, reason="Ya existe.")
    assert rejected["state"] == "rejected" and rejected["decision_reason"] == "Ya existe."
    assert trail_events(app, "change_request:reject")[0].reason == "Ya existe."


def _type(app: Flask, key: str) -> int:
    with app.app_context():
        return type_id(key)


@pytest.mark.sql
def test_change_requests_hidden_and_invalid(app, client, org, as_):
    draft_only, _ = new_document(app, org, title="Borrador")
    staff = as_["staff"]
    hidden = call(
        client, "POST", "/change-requests", staff, 404,
        kind="modify", reason="x", document_id=draft_only,
    )  # fmt: skip
    assert hidden["error"]["code"] == "not_found"
    for body, field in [
        ({"kind": "rename", "reason": "x"}, "kind"),
        ({"kind": "create", "reason": "x", "document_id": draft_only}, "document_id"),
        ({"kind": "modify", "reason": "x", "proposed_title": "T"}, "proposed_title"),
        ({"kind": "modify", "reason": "", "document_id": draft_only}, "reason"),
        ({"kind": "create", "reason": "x", "proposed_title": "T"}, "proposed_type_id"),
        ({"reason": "x"}, "kind"),
    ]:
        assert (
            call(client, "POST", "/change-requests", staff, 400, **body)["error"]["field"] == field
        )
    assert not trail_events(app, "change_request:create")
    mine = call(client, "POST", "/change-requests", as_["lead"], 200, kind="create",
                reason="x", proposed_title="T", proposed_type_id=_type(app, "procedure"),
                proposed_process_id=org.process_id)  # fmt: skip
    assert client.get(f"/api/v1/change-requests/{mine['id']}", headers=staff).status_code == 404
    assert call(client, "GET", "/change-requests?state=closed", staff, 400)["error"]["field"] == (
        "state"
    )


# --- Document types ------------------------------------------------------------------------

_NEW_TYPE = {
    "key": "memo",
    "name": "Memorando",
    "abbreviation": "ME",
    "code_pattern": "ME-{seq:03}",
}


def test_document_types_created_updated_deactivated(app, client, org, as_):
    call(client, "POST", "/document-types", as_["owner"], 403, **_NEW_TYPE)
    assert not trail_events(app, "document_type:create")
    created = call(client, "POST", "/document-types", as_["lead"], 200, **_NEW_TYPE)
    assert created["active"] and created["route"]["approval"]["roles"] == [
        "quality_lead",
        "approver",
    ]
    assert trail_events(app, "document_type:create")[0].actor_name == "ana"
    assert (
        call(client, "POST", "/document-types", as_["lead"], 409, **_NEW_TYPE)["error"]["field"]
        == "key"
    )

    path = f"/document-types/{created['id']}"
    call(client, "PATCH", path, as_["owner"], 403, name="Memo")
    for body, field in [
        ({"code_pattern": "{nope}"}, "code_pattern"),
        ({"review_interval_months": 0}, "review_interval_months"),
        ({"default_blocks": [{"kind": "text"}]}, "default_blocks"),
        ({"route": {"approval": {"roles": ["boss"]}}}, "approval_roles"),
        ({"key": "other"}, "key"),
    ]:
        assert call(client, "PATCH", path, as_["lead"], 400, **body)["error"]["field"] == field
    assert not trail_events(app, "document_type:update")
    updated = call(client, "PATCH", path, as_["lead"], 200, name="Memo", review_interval_months=12)
    assert (updated["name"], updated["abbreviation"], updated["review_interval_months"]) == (
        "Memo",
        "ME",
        12,
    )
    [event] = trail_events(app, "document_type:update")
    assert '"Memo"' in event.after and "abbreviation" not in event.after

    call(client, "POST", f"{path}/deactivate", as_["owner"], 403)
    assert not call(client, "POST", f"{path}/deactivate", as_["lead"], 200)["active"]
    assert "memo" not in {
        t["key"] for t in call(client, "GET", "/document-types", as_["lead"], 200)["items"]
    }
    assert call(client, "POST", f"{path}/activate", as_["lead"], 200)["active"]
    assert _count(app, "document_type:deactivate") == _count(app, "document_type:activate") == 1
    call(client, "POST", "/document-types/9999/activate", as_["lead"], 404)


# --- Attachments ---------------------------------------------------------------------------


def _upload(
    client: FlaskClient, version_id: int, who: dict, data: bytes, query: str = "?filename=acta.pdf"
):
    headers = {**who, "Content-Type": "application/pdf"}
    return client.post(
        f"/api/v1/versions/{version_id}/attachments{query}", headers=headers, data=data
    )


def test_attachments_uploaded_and_removed_on_drafts_only(app, client, org, as_):
    _, version_id = new_document(app, org)
    outsider = bearer_for(app, make_user(app, "pedro", ["process_owner"]).id)
    assert _upload(client, version_id, as_["staff"], b"%PDF").status_code == 403
    assert _upload(client, version_id, outsider, b"%PDF").status_code == 404
    for query, data, field in [("", b"%PDF", "filename"), ("?filename=a.pdf", b"", "body"),
                               ("?filename=a.pdf&x=1", b"%PDF", "x")]:  # fmt: skip
        refused = _upload(client, version_id, as_["owner"], data, query)
        assert refused.status_code == 400 and refused.json["error"]["field"] == field
    app.config["MAX_CONTENT_LENGTH"] = 10
    too_big = _upload(client, version_id, as_["owner"], b"x" * 11)
    assert too_big.status_code == 413 and too_big.json["error"]["code"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert not trail_events(app, "document:attach")

    uploaded = _upload(client, version_id, as_["owner"], b"%PDF-1.4 acta")
    assert uploaded.status_code == 200, uploaded.json
    assert_matches(uploaded.json, "Attachment")
    assert (uploaded.json["filename"], uploaded.json["media_type"]) == (
        "acta.pdf",
        "application/pdf",
    )
    assert trail_events(app, "document:attach")[0].actor_name == "olga"
    file_path = f"/versions/{version_id}/attachments/{uploaded.json['id']}"
    assert client.get(f"/api/v1{file_path}", headers=as_["owner"]).data == b"%PDF-1.4 acta"

    other_document, other_version = new_document(app, org, title="Otro")
    wrong = f"/versions/{other_version}/attachments/{uploaded.json['id']}"
    call(client, "DELETE", wrong, as_["owner"], 404)
    call(client, "DELETE", file_path, as_["staff"], 403)
    call(client, "DELETE", file_path, outsider, 404)
    assert not trail_events(app, "document:detach")
    removed = call(client, "DELETE", file_path, as_["owner"], 200)
    assert removed["attachments"] == []
    assert trail_events(app, "document:detach")[0].actor_name == "olga"
    with app.app_context():
        assert db.session.get(Attachment, uploaded.json["id"]) is None

    _through(client, as_, other_version)
    assert _upload(client, other_version, as_["owner"], b"%PDF").status_code == 409
    assert _count(app, "document:attach") == 1 and other_document


# --- Code correction -----------------------------------------------------------------------


@pytest.mark.sql
def test_code_correction_until_the_first_approval(app, client, org, as_):
    document_id, version_id = new_document(app, org)
    path = f"/documents/{document_id}/code"
    call(client, "POST", path, as_["owner"], 403, code="AC-PR-09", reason="Numeración.")
    assert (
        call(client, "POST", path, as_["lead"], 400, code="ac pr", reason="x")["error"]["field"]
        == "code"
    )
    assert (
        call(client, "POST", path, as_["lead"], 400, code="AC-PR-09", reason="")["error"]["field"]
        == "reason"
    )
    assert not trail_events(app, "document:correct_code")
    fixed = call(client, "POST", path, as_["lead"], 200, code="ac-pr-09", reason="Numeración.")
    assert fixed["code"] == "AC-PR-09"
    [event] = trail_events(app, "document:correct_code")
    assert (event.actor_name, event.reason) == ("ana", "Numeración.")
    other, _ = new_document(app, org, title="Otro")
    taken = call(client, "POST", f"/documents/{other}/code", as_["lead"], 409, code="AC-PR-09",
                 reason="x")  # fmt: skip
    assert taken["error"]["field"] == "code"
    _through(client, as_, version_id)
    call(client, "POST", path, as_["lead"], 409, code="AC-PR-10", reason="Otra vez.")
    assert _count(app, "document:correct_code") == 1


# --- Master list, reviews due, my work ---------------------------------------------------------


@pytest.mark.sql
def test_master_list_follows_visibility_filters_and_sort(app, client, org, as_):
    _effective(app, org, client, as_, title="Zeta")
    new_document(app, org, title="Álamo", key="manual")
    staff = call(client, "GET", "/master-list", as_["staff"], 200)["items"]
    assert [(r["code"], r["state"]) for r in staff] == [("AC-PR-01", "effective")]
    lead = call(client, "GET", "/master-list?sort=title&dir=desc", as_["lead"], 200)["items"]
    assert [r["title"] for r in lead] == ["Zeta", "Álamo"]
    found = call(client, "GET", "/master-list?q=alamo&state=draft", as_["lead"], 200)["items"]
    assert [r["type"] for r in found] == ["manual"]
    assert (
        call(client, "GET", "/master-list?sort=colour", as_["lead"], 400)["error"]["field"]
        == "sort"
    )
    due = call(client, "GET", "/master-list/reviews-due?within=366&mine=true", as_["owner"], 200)
    assert due["items"] == []
    later = call(client, "GET", "/master-list/reviews-due?within=366", as_["lead"], 200)["items"]
    assert later == [] or later[0]["days_overdue"] < 0


def test_my_work_for_the_tokens_owner(app, client, org, as_):
    document_id, version_id = new_document(app, org)
    owner = call(client, "GET", "/my-work", as_["owner"], 200)
    assert [v["id"] for v in owner["drafts"]] == [version_id] and owner["to_sign"] == []
    call(client, "POST", f"/versions/{version_id}/submit", as_["owner"], 200, password=PASSWORD)
    reviewer = call(client, "GET", "/my-work", as_["reviewer"], 200)
    assert [v["id"] for v in reviewer["to_sign"]] == [version_id]
    call(client, "POST", "/change-requests", as_["staff"], 200, kind="create", reason="x",
         proposed_title="T", proposed_type_id=_type(app, "procedure"),
         proposed_process_id=org.process_id)  # fmt: skip
    assert len(call(client, "GET", "/my-work", as_["lead"], 200)["change_requests"]) == 1
    assert len(call(client, "GET", "/my-work", as_["staff"], 200)["change_requests"]) == 1
    assert call(client, "GET", "/my-work", as_["owner"], 200)["change_requests"] == []
    assert client.get("/api/v1/my-work").status_code == 401
    with app.app_context():
        assert db.session.get(DocumentVersion, version_id) is not None and document_id


def test_openapi_documents_the_extra_routes(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    expected = {
        "/change-requests": {"get", "post"},
        "/change-requests/{request_id}": {"get"},
        "/change-requests/{request_id}/accept": {"post"},
        "/change-requests/{request_id}/reject": {"post"},
        "/document-types": {"get", "post"},
        "/document-types/{type_id}": {"patch"},
        "/document-types/{type_id}/deactivate": {"post"},
        "/document-types/{type_id}/activate": {"post"},
        "/versions/{version_id}/attachments": {"post"},
        "/versions/{version_id}/attachments/{attachment_id}": {"get", "delete"},
        "/documents/{document_id}/code": {"post"},
        "/master-list": {"get"},
        "/master-list/reviews-due": {"get"},
        "/my-work": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    upload = paths["/versions/{version_id}/attachments"]["post"]
    assert {"400", "401", "403", "404", "409"} <= set(upload["responses"])
    assert upload["x-permission"] == "document:edit"


@pytest.mark.parametrize("path", ["/change-requests", "/master-list", "/my-work"])
def test_reads_need_a_token(client, path):
    assert client.get(f"/api/v1{path}").status_code == 401
