"""A session cookie dies with logout, deactivation and password change; no remember-me."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.users import services
from qms.users.models import User
from tests.helpers import PASSWORD, csrf_token, login, make_user

COOKIE = "qms_session"
NEW_PASSWORD = "another-long-passphrase-9"


def _signed_in(app: Flask, username: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = login(client, username, password)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _copy_cookie(source: FlaskClient, app: Flask) -> FlaskClient:
    """A second client that replays the cookie captured from `source` (a stolen cookie)."""
    cookie = source.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie after sign-in"
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def _is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/dashboard")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith("/login")
    return False


def _logout(client: FlaskClient) -> None:
    token = csrf_token(client, "/dashboard")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].split("?")[0].endswith("/login")


def test_cookie_captured_before_logout_is_dead_after_it(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    owner = _signed_in(app, "lucia")
    thief = _copy_cookie(owner, app)
    assert _is_signed_in(thief), "the copied cookie should work while the session lives"
    _logout(owner)
    assert not _is_signed_in(owner)
    assert not _is_signed_in(thief)


def test_deactivation_ends_every_session(app: Flask) -> None:
    admin = make_user(app, "admin1", ["admin"])
    user = make_user(app, "lucia", ["staff"])
    first = _signed_in(app, "lucia")
    second = _signed_in(app, "lucia")
    thief = _copy_cookie(first, app)
    assert _is_signed_in(thief)
    with app.app_context():
        actor = db.session.get(User, admin.id)
        services.set_active(db.session, actor, user.id, False, reason="left the company")
        db.session.commit()
    for client in (first, second, thief):
        assert not _is_signed_in(client)
    # ...and the password no longer opens a session either.
    assert login(app.test_client(), "lucia").status_code != 302


def test_password_change_keeps_this_session_and_ends_the_others(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    changer = _signed_in(app, "lucia")
    other = _signed_in(app, "lucia")
    stolen_other = _copy_cookie(other, app)
    token = csrf_token(changer, "/profile")
    response = changer.post(
        "/profile/password",
        data={
            "pw-csrf_token": token,
            "pw-current_password": PASSWORD,
            "pw-new_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _is_signed_in(changer)
    assert not _is_signed_in(other)
    assert not _is_signed_in(stolen_other)
    assert login(app.test_client(), "lucia", PASSWORD).status_code != 302
    assert login(app.test_client(), "lucia", NEW_PASSWORD).status_code == 302


def test_no_remember_me_cookie(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    client = app.test_client()
    response = login(client, "lucia")
    assert response.status_code == 302
    names = {header.split("=", 1)[0] for header in response.headers.getlist("Set-Cookie")}
    assert names <= {COOKIE}, names
    assert client.get_cookie("remember_token") is None
    assert client.get("/dashboard").status_code == 200
    assert {h.split("=", 1)[0] for h in client.get("/dashboard").headers.getlist("Set-Cookie")} <= {
        COOKIE
    }


def test_session_cookie_holds_no_user_id_in_clear(app: Flask) -> None:
    """The cookie carries a random token bound to a server-side session, so it can be revoked."""
    make_user(app, "lucia", ["staff"])
    client = _signed_in(app, "lucia")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    assert "lucia" not in cookie.value
