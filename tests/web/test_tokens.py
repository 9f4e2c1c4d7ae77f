"""Personal API tokens: the profile pages and `qms token …`."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import qms.cli
from qms.core.db import Base, db
from qms.users import services
from qms.users.models import ApiToken
from tests.helpers import csrf_token, make_user, trail_events

TOKEN_RE = re.compile(r"qms_[A-Za-z0-9_-]{20,}")
PAGE = "/profile/tokens/"


def create_via_page(client: FlaskClient, name: str = "report script") -> tuple[str, str]:
    """Submit the form; return the page and the plain token it shows."""
    response = client.post(PAGE, data={"name": name, "csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    found = TOKEN_RE.findall(html)
    assert len(set(found)) == 1
    return html, found[0]


def api_me(client: FlaskClient, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def token_row(app: Flask, plain: str) -> ApiToken:
    with app.app_context():
        digest = hashlib.sha256(plain.encode()).hexdigest()
        return db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest))


def test_create_shows_token_once_and_it_works(app, client_as):
    staff = client_as("staff")
    html, plain = create_via_page(staff)
    assert "report script" in html
    assert api_me(app.test_client(), plain) == 200
    listing = staff.get(PAGE).get_data(as_text=True)
    assert plain not in listing
    assert plain[:12] in listing  # the prefix identifies it
    assert not TOKEN_RE.search(listing.replace(plain[:12], ""))


def test_token_never_reaches_the_session_cookie(app, client_as):
    staff = client_as("staff")
    _, plain = create_via_page(staff)
    cookie = staff.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]
    assert plain not in repr(data)
    assert plain not in staff.get(PAGE).get_data(as_text=True)


def test_database_keeps_only_the_sha256(app, client_as):
    _, plain = create_via_page(client_as("quality_lead"))
    row = token_row(app, plain)
    assert row is not None and row.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            for values in db.session.execute(sa.select(table)):
                assert all(plain not in str(v) for v in values), table.name


def test_revoke_stops_the_token_and_is_recorded(app, client_as):
    staff = client_as("staff")
    _, plain = create_via_page(staff)
    row = token_row(app, plain)
    response = staff.post(f"{PAGE}{row.id}/revoke", data={"csrf_token": csrf_token(staff, PAGE)})
    assert response.status_code == 302
    assert api_me(app.test_client(), plain) == 401
    assert token_row(app, plain).revoked_at is not None
    assert "Revoke token" not in staff.get(PAGE).get_data(as_text=True)
    created, revoked = trail_events(app, "token:create"), trail_events(app, "token:revoke")
    assert [(e.actor_name, e.object_id) for e in created] == [(staff.username, str(row.id))]
    assert [(e.actor_name, e.object_id) for e in revoked] == [(staff.username, str(row.id))]
    assert plain not in (created[0].after + revoked[0].after)


def test_another_users_token_answers_404(app, client_as):
    _, plain = create_via_page(client_as("staff"))
    row = token_row(app, plain)
    other = client_as("admin")
    response = other.post(f"{PAGE}{row.id}/revoke", data={"csrf_token": csrf_token(other, PAGE)})
    assert response.status_code == 404
    assert api_me(app.test_client(), plain) == 200
    assert plain[:12] not in other.get(PAGE).get_data(as_text=True)
    assert trail_events(app, "token:revoke") == []


def test_revoke_without_csrf_refused(app, client_as):
    staff = client_as("staff")
    _, plain = create_via_page(staff)
    assert staff.post(f"{PAGE}{token_row(app, plain).id}/revoke").status_code == 400
    assert api_me(app.test_client(), plain) == 200


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_create_rejects_bad_names(app, client_as, name):
    staff = client_as("staff")
    response = staff.post(PAGE, data={"name": name, "csrf_token": csrf_token(staff, PAGE)})
    assert response.status_code == 400
    assert not TOKEN_RE.search(response.get_data(as_text=True))
    assert trail_events(app, "token:create") == []


def test_without_permission_refused(app, client_as):
    """A user holding no role lacks token:manage: refused, nothing created."""
    nobody = client_as([])
    assert nobody.get(PAGE).status_code == 403
    token = csrf_token(nobody, "/dashboard")
    assert nobody.post(PAGE, data={"name": "x", "csrf_token": token}).status_code == 403
    assert trail_events(app, "token:create") == []


def test_anonymous_sent_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_profile_links_to_tokens(client_as):
    html = client_as("auditor").get("/profile").get_data(as_text=True)
    assert f'href="{PAGE}"' in html


# --- qms token … ---------------------------------------------------------------------------


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(qms.cli.main, ["token", *args])


def test_cli_create_prints_only_a_working_token(app):
    make_user(app, "ana", ["staff"])
    result = run(app, "create", "ana", "--name", "nightly")
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert TOKEN_RE.fullmatch(plain)
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.status_code == 200 and me.json["username"] == "ana"
    (event,) = trail_events(app, "token:create")
    assert event.actor_id is None and event.client_address == "cli"
    assert '"user":"ana"' in event.after and plain not in event.after
    assert token_row(app, plain).name == "nightly"


def test_cli_revoke_by_prefix(app):
    make_user(app, "ana", ["staff"])
    plain = run(app, "create", "ana").stdout.strip()
    result = run(app, "revoke", "ana", plain[:12])
    assert result.exit_code == 0, result.output
    assert api_me(app.test_client(), plain) == 401
    assert len(trail_events(app, "token:revoke")) == 1
    again = run(app, "revoke", "ana", plain[:12])
    assert again.exit_code != 0


@pytest.mark.parametrize("username", ["ghost", "gone"])
def test_cli_refuses_unknown_or_deactivated(app, username):
    make_user(app, "gone", ["staff"])
    make_user(app, "root", ["admin"])
    with app.app_context():
        admin = services.find_user(db.session, "root")
        gone = services.find_user(db.session, "gone")
        services.set_active(db.session, admin, gone.id, False, reason="left")
        db.session.commit()
    result = run(app, "create", username)
    assert result.exit_code != 0
    assert not TOKEN_RE.search(result.stdout)
    assert trail_events(app, "token:create") == []
