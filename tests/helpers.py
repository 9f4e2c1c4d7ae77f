"""Helpers shared by the test packages: users, sign-in, CSRF tokens, trail look-ups."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.trail.models import TrailEvent
from qms.users import services
from qms.users.models import User

PASSWORD = "correct-horse-battery"
_CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def skip_or_fail(what: str, reason: str) -> None:
    """Skip locally; fail under CI=true, where every kind of test is required."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} tests are required under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def make_user(
    app: Flask,
    username: str,
    roles: tuple[str, ...] | list[str] = (),
    password: str = PASSWORD,
    **fields: str,
) -> User:
    with app.app_context():
        user = services.create_user(
            db.session,
            None,
            username=username,
            full_name=fields.pop("full_name", username.title()),
            password=password,
            roles=roles,
            bypass_permission=True,
            **fields,
        )
        db.session.commit()
        return user


def _session_csrf_secret(client: FlaskClient) -> str | None:
    """The secret behind this client's CSRF tokens (a new session, e.g. after sign-in, has a
    new one)."""
    with client.session_transaction() as session:
        return session.get("csrf_token")


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """A CSRF token for this client's session, read once from a page that carries a form.

    Kept on the client while its session keeps the same CSRF secret; `path` is read the
    first time and again whenever the session changed.
    """
    secret = _session_csrf_secret(client)
    cached = getattr(client, "qms_csrf", None)
    if secret is not None and cached is not None and cached[0] == secret:
        return cached[1]
    html = client.get(path).get_data(as_text=True)
    match = _CSRF_RE.search(html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    client.qms_csrf = (_session_csrf_secret(client), match.group(1))  # type: ignore[attr-defined]
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def trail_events(app: Flask, action: str | None = None) -> list[TrailEvent]:
    with app.app_context():
        stmt = sa.select(TrailEvent).order_by(TrailEvent.seq)
        if action:
            stmt = stmt.where(TrailEvent.action == action)
        return list(db.session.scalars(stmt))


def days_pass(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    """Move the one clock "today" is read from (qms.core.db.utcnow) `days` ahead."""
    from datetime import timedelta

    from qms.core import db as core_db

    real = core_db.utcnow
    monkeypatch.setattr(core_db, "utcnow", lambda: real() + timedelta(days=days))


def bearer_for(app: Flask, user_id: int) -> dict[str, str]:
    """Headers carrying a new personal API token of that user."""
    from qms.users import tokens

    with app.app_context():
        owner = db.session.get(User, user_id)
        _, plain = tokens.create_token(db.session, None, "api", owner=owner, bypass_permission=True)
        db.session.commit()
    return {"Authorization": f"Bearer {plain}"}
