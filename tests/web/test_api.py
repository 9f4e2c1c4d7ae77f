"""The JSON API: token authentication, permissions, fields, errors, no secrets."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.core.permissions import Permission, permissions_of
from qms.processes.models import Process
from qms.users import services, tokens
from qms.users.models import ApiToken
from tests.helpers import make_user
from tests.web.test_api_shapes import assert_matches, assert_no_secrets

# (path, permission it needs); `{user}` and `{process}` are filled with existing ids.
ENDPOINTS = [
    ("/api/v1/me", None),
    ("/api/v1/users", Permission.USER_READ),
    ("/api/v1/users/{user}", Permission.USER_READ),
    ("/api/v1/processes", Permission.PROCESS_READ),
    ("/api/v1/processes/{process}", Permission.PROCESS_READ),
    ("/api/v1/trail", Permission.TRAIL_READ),
]
SCHEMA_OF = {
    "/api/v1/me": "Me",
    "/api/v1/users": "UserList",
    "/api/v1/users/{user}": "User",
    "/api/v1/processes": "ProcessList",
    "/api/v1/processes/{process}": "Process",
    "/api/v1/trail": "TrailPage",
}


def issue_token(app: Flask, username: str, roles: list[str] | tuple[str, ...] = ()) -> str:
    """A new user holding `roles` and a live token of theirs."""
    make_user(app, username, roles)
    with app.app_context():
        owner = services.find_user(db.session, username)
        _, plain = tokens.create_token(
            db.session, None, "test", owner=owner, bypass_permission=True
        )
        db.session.commit()
    return plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def ids(app: Flask) -> dict[str, int]:
    """An existing user and process to fill the paths with."""
    target = make_user(app, "target", ["staff"])
    with app.app_context():
        process = Process(code="GC", name="Gestión de calidad", type="strategic")
        db.session.add(process)
        db.session.commit()
        return {"user": target.id, "process": process.id}


@pytest.fixture
def admin_token(app: Flask) -> str:
    return issue_token(app, "boss", ["admin"])


def fill(path: str, ids: dict[str, int]) -> str:
    return path.format(**ids)


def deactivate(app: Flask, username: str) -> None:
    make_user(app, "deactivator", ["admin"])
    with app.app_context():
        admin = services.find_user(db.session, "deactivator")
        user = services.find_user(db.session, username)
        services.set_active(db.session, admin, user.id, False, reason="left the company")
        db.session.commit()


@pytest.mark.parametrize(("path", "_perm"), ENDPOINTS)
def test_without_token_401_with_challenge(client, ids, path, _perm):
    response = client.get(fill(path, ids))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["code"] == "not_authenticated"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "header", ["Bearer qms_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "qms_x"]
)
def test_malformed_or_unknown_token_401(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert "Bearer" in response.headers["WWW-Authenticate"]
    assert set(response.json["error"]) >= {"code", "message"}


@pytest.mark.parametrize(("path", "_perm"), ENDPOINTS)
def test_revoked_token_401(app, client, ids, path, _perm):
    plain = issue_token(app, "revokee", ["admin"])
    assert client.get(fill(path, ids), headers=bearer(plain)).status_code == 200
    with app.app_context():
        owner = services.find_user(db.session, "revokee")
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == owner.id))
        tokens.revoke_token(db.session, owner, token.id)
        db.session.commit()
    response = client.get(fill(path, ids), headers=bearer(plain))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


@pytest.mark.parametrize(("path", "_perm"), ENDPOINTS)
def test_deactivated_owner_401(app, client, ids, path, _perm):
    plain = issue_token(app, "leaver", ["admin"])
    deactivate(app, "leaver")
    response = client.get(fill(path, ids), headers=bearer(plain))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "not_authenticated"


def test_session_cookie_is_ignored(client_as):
    signed_in = client_as("admin")
    assert signed_in.get("/dashboard").status_code == 200
    assert signed_in.get("/api/v1/me").status_code == 401


DENIED = [
    (path, role)
    for path, perm in ENDPOINTS
    if perm is not None
    for role in ["admin", "quality_lead", "process_owner", "auditor", "staff", ""]
    if perm not in permissions_of([role] if role else [])
]


@pytest.mark.parametrize(("path", "role"), DENIED)
def test_role_without_permission_403(app, client, ids, path, role):
    plain = issue_token(app, "denied", [role] if role else [])
    response = client.get(fill(path, ids), headers=bearer(plain))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("path", "_perm"), ENDPOINTS)
def test_allowed_answers_its_schema_without_secrets(app, client, ids, admin_token, path, _perm):
    response = client.get(fill(path, ids), headers=bearer(admin_token))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert_matches(response.json, SCHEMA_OF[path])
    assert_no_secrets(app, response.get_data(as_text=True), admin_token)


def test_me_lists_roles_and_permissions(app, client):
    plain = issue_token(app, "aud", ["auditor"])
    body = client.get("/api/v1/me", headers=bearer(plain)).json
    assert body["username"] == "aud"
    assert body["roles"] == ["auditor"]
    assert set(body["permissions"]) == {str(p) for p in permissions_of(["auditor"])}


def test_user_detail_and_list(client, ids, admin_token):
    body = client.get(f"/api/v1/users/{ids['user']}", headers=bearer(admin_token)).json
    assert body["username"] == "target"
    assert body["roles"] == ["staff"]
    assert body["active"] is True
    names = [
        u["username"]
        for u in client.get("/api/v1/users", headers=bearer(admin_token)).json["items"]
    ]
    assert {"boss", "target"} <= set(names)


@pytest.mark.parametrize("path", ["/api/v1/users/99999", "/api/v1/processes/99999"])
def test_unknown_id_404_json(client, admin_token, path):
    response = client.get(path, headers=bearer(admin_token))
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_unknown_path_and_wrong_method_are_json(client, admin_token):
    missing = client.get("/api/v1/nothing-here", headers=bearer(admin_token))
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"
    wrong = client.post("/api/v1/me", headers=bearer(admin_token))
    assert wrong.status_code == 405
    assert wrong.json["error"]["code"] == "method_not_allowed"


def test_processes_filters(app, client, ids):
    with app.app_context():
        db.session.add(Process(code="AC", name="Atención al cliente", type="core"))
        db.session.add(Process(code="OLD", name="Retirado", type="core", active=False))
        db.session.commit()
    plain = issue_token(app, "reader", ["staff"])

    def codes(query: str) -> list[str]:
        response = client.get(f"/api/v1/processes{query}", headers=bearer(plain))
        assert response.status_code == 200, response.json
        return [p["code"] for p in response.json["items"]]

    assert codes("") == ["AC", "GC"]
    assert codes("?type=core") == ["AC"]
    assert codes("?type=core&include_inactive=true") == ["AC", "OLD"]
    bad = client.get("/api/v1/processes?type=nonsense", headers=bearer(plain))
    assert bad.status_code == 400
    assert bad.json["error"]["field"] == "type"


def test_trail_filters_and_paging(client, ids, admin_token):
    def get(query: str) -> Any:
        return client.get(f"/api/v1/trail{query}", headers=bearer(admin_token))

    body = get("?action=user:create&limit=1").json
    assert body["total"] >= 2 and len(body["items"]) == 1 and body["limit"] == 1
    assert body["items"][0]["action"] == "user:create"
    assert (
        get("?action=user:create&offset=1&limit=500").json["items"][0]["seq"]
        < body["items"][0]["seq"]
    )
    only = get(f"?object_type=user&object_id={ids['user']}").json
    assert only["total"] == 1 and only["items"][0]["after"]["username"] == "target"
    assert get("?since=2999-01-01T00:00:00Z").json["total"] == 0
    assert get("?until=2000-01-01").json["total"] == 0
    assert get("?actor=nobody").json["total"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "?limit=501",
        "?limit=0",
        "?offset=-1",
        "?limit=ten",
        "?since=yesterday",
        "?actr=ana",
        "?limit=5&limit=6",
    ],
)
def test_trail_rejects_bad_queries(client, admin_token, query):
    response = client.get(f"/api/v1/trail{query}", headers=bearer(admin_token))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "validation_failed"


def test_token_follows_owner_roles_live(app, client):
    plain = issue_token(app, "changer", ["auditor"])
    assert client.get("/api/v1/trail", headers=bearer(plain)).status_code == 200
    make_user(app, "roleadmin", ["admin"])
    with app.app_context():
        admin = services.find_user(db.session, "roleadmin")
        user = services.find_user(db.session, "changer")
        services.update_user(
            db.session,
            admin,
            user.id,
            full_name="Changer",
            job_title="",
            email="",
            locale="es",
            roles=["staff"],
        )
        db.session.commit()
    assert client.get("/api/v1/trail", headers=bearer(plain)).status_code == 403


def test_use_is_recorded_on_the_token(app, client, admin_token):
    client.get("/api/v1/me", headers=bearer(admin_token))
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == admin_token[:12]))
        assert token.last_used_at is not None
