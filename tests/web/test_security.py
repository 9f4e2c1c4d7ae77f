"""Web security: lockout, one answer for bad credentials, no open redirect, headers, cookies,
upload limit, error pages, escaping, password storage."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from tests.helpers import PASSWORD, csrf_token, login, make_user

_ALERT_RE = re.compile(r'role="alert"[^>]*>(.*?)</', re.S)


def _alert(html: str) -> str:
    match = _ALERT_RE.search(html)
    assert match, "no error message on the page"
    return match.group(1).strip()


def _login_with_next(client: FlaskClient, username: str, target: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": target},
    )


# --- sign-in -------------------------------------------------------------------------------


def test_sixth_attempt_is_refused_even_with_the_right_password(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    make_user(app, "mario", ["staff"])
    client = app.test_client()
    for _ in range(5):
        assert login(client, "lucia", "wrong-password-123").status_code == 401
    locked = login(client, "lucia", PASSWORD)
    assert locked.status_code == 429
    assert _alert(locked.get_data(as_text=True))
    assert client.get("/dashboard").status_code == 302, "a locked-out login must not sign in"
    # The lockout is per username: another account still signs in from the same client.
    other = app.test_client()
    assert login(other, "mario", PASSWORD).status_code == 302


def test_unknown_user_and_wrong_password_get_the_same_answer(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    wrong = login(app.test_client(), "lucia", "wrong-password-123")
    unknown = login(app.test_client(), "nobody-here", "wrong-password-123")
    assert wrong.status_code == unknown.status_code
    assert wrong.status_code in (400, 401, 403)
    assert _alert(wrong.get_data(as_text=True)) == _alert(unknown.get_data(as_text=True))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_next_cannot_leave_the_site(app: Flask, target: str) -> None:
    make_user(app, "lucia", ["staff"])
    client = app.test_client()
    response = _login_with_next(client, "lucia", target)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost")
    assert location.scheme in ("", "http")
    assert not location.path.startswith("//") and "\\" not in location.path
    landed = client.get(location.path, follow_redirects=True)
    assert landed.request.path == "/dashboard"


def test_next_with_a_local_path_is_honoured(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    response = _login_with_next(app.test_client(), "lucia", "/profile")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/profile"


# --- headers and cookies -------------------------------------------------------------------


def test_security_headers_on_an_authenticated_page(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("staff").get("/dashboard")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get("Referrer-Policy")
    assert "no-store" in response.headers["Cache-Control"]


def test_login_page_has_the_policy_too(client: FlaskClient) -> None:
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _session_cookie_headers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith("qms_session=")]


def test_session_cookie_flags_over_http(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    response = login(app.test_client(), "lucia")
    assert response.status_code == 302
    cookies = _session_cookie_headers(response)
    assert cookies, response.headers.getlist("Set-Cookie")
    for header in cookies:
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert "httponly" in flags
        assert "samesite=lax" in flags
        assert "secure" not in flags


def test_session_cookie_is_secure_over_https(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    client = app.test_client()
    base = "https://localhost"
    page = client.get("/login", base_url=base)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))
    assert token
    response = client.post(
        "/login",
        base_url=base,
        data={"username": "lucia", "password": PASSWORD, "csrf_token": token.group(1)},
        headers={"Referer": f"{base}/login"},  # strict CSRF checks the referrer over HTTPS
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    cookies = _session_cookie_headers(response)
    assert cookies
    for header in cookies:
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags


# --- limits and errors ---------------------------------------------------------------------


def test_upload_limit_answers_413(app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit and limit <= 200 * 1024 * 1024
    client = app.test_client()
    response = client.post(
        "/login",
        data=b"a=" + b"x" * (limit + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413


def test_unexpected_error_shows_a_generic_page(app: Flask) -> None:
    def explode() -> str:
        raise RuntimeError("secret-internal-detail 42")

    app.add_url_rule("/_test_explode", "test_explode", explode)
    response = app.test_client().get("/_test_explode")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "secret-internal-detail", "RuntimeError", 'File "', "explode"):
        assert leak not in body
    assert "<html" in body.lower()


def test_not_found_is_a_page_without_details(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


# --- output and storage --------------------------------------------------------------------


def test_user_supplied_text_is_escaped(app: Flask) -> None:
    make_user(app, "mallory", ["staff"], full_name="<script>alert(1)</script>")
    client = app.test_client()
    assert login(client, "mallory").status_code == 302
    body = client.get("/dashboard").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_passwords_are_stored_hashed(app: Flask) -> None:
    make_user(app, "lucia", ["staff"])
    with app.app_context():
        stored = db.session.execute(
            sa.text("SELECT password_hash FROM users WHERE username = 'lucia'")
        ).scalar_one()
    assert PASSWORD not in stored
    assert stored.split(":")[0] in {"scrypt", "pbkdf2", "argon2", "bcrypt"}, stored[:20]
    assert len(stored) > 40
