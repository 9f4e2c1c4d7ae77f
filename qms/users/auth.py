"""Login, logout and the server-side sessions behind the cookie; the lockout rule."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from qms.core.context import current_client_address, current_user_agent
from qms.core.db import db, utcnow
from qms.core.errors import TooManyAttempts, ValidationFailed
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail
from qms.users.models import LoginAttempt, User, UserSession
from qms.users.services import find_user, hash_password, verify_password

SESSION_KEY = "sid"
_DUMMY_HASHES: dict[str, str] = {}


class InvalidCredentials(ValidationFailed):
    """One answer for an unknown user, a wrong password and a deactivated account."""

    recorded = True  # the failed attempt counts towards the lockout although the request fails


class SignatureRefused(ValidationFailed):
    """The password given to sign was wrong: nothing is signed, the attempt is recorded.

    A wrong value of the password field: forms show it there; its own answer is 403.
    """

    status_code = 403
    code = "signature_refused"
    recorded = True  # signature:refused stays on record although the request fails


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _dummy_hash() -> str:
    """A hash made like real ones, so an unknown user costs the same time as a known one."""
    method = current_app.config.get("QMS_PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[method]


def _recent_failures(db_session: Session, username: str, window: timedelta) -> int:
    since = utcnow() - window
    last_success = db_session.scalar(
        sa.select(sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username, LoginAttempt.succeeded.is_(True)
        )
    )
    if last_success is not None and last_success.replace(tzinfo=since.tzinfo) > since:
        since = last_success.replace(tzinfo=since.tzinfo)
    return (
        db_session.scalar(
            sa.select(sa.func.count()).where(
                LoginAttempt.username == username,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.attempted_at > since,
            )
        )
        or 0
    )


def username_key(username: str | None) -> str:
    """The key of a username's attempts: the lockout counts per lower-cased username."""
    return (username or "").strip().lower()[:254]


def lockout_policy() -> tuple[int, timedelta]:
    """How many failed attempts lock a username out, within how long (QMS_LOGIN_MAX_FAILURES,
    QMS_LOGIN_WINDOW_MINUTES)."""
    settings = current_app.extensions["qms_settings"]
    return settings.login_max_failures, timedelta(minutes=settings.login_window_minutes)


def _refuse_locked_out(db_session: Session, key: str, address: str) -> TooManyAttempts:
    """Record the refusal (it counts too, so the lockout lasts while attempts go on)."""
    db_session.add(LoginAttempt(username=key, client_address=address, succeeded=False))
    return TooManyAttempts(str(_l("Too many failed attempts. Wait a few minutes and try again.")))


def authenticate(
    db_session: Session, username: str, password: str, *, max_failures: int, window: timedelta
) -> User:
    """The user whose password this is, or InvalidCredentials / TooManyAttempts."""
    key = username_key(username)
    address = current_client_address()
    if _recent_failures(db_session, key, window) >= max_failures:
        refusal = _refuse_locked_out(db_session, key, address)
        trail.record(
            db_session, TrailAction.SESSION_LOGIN_REFUSED, "user", key[:64], reason="lockout"
        )
        raise refusal
    user = find_user(db_session, key) if key else None
    # Hash even for unknown users so that timing does not tell which usernames exist.
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    ok = ok and user is not None and user.active
    db_session.add(LoginAttempt(username=key, client_address=address, succeeded=ok))
    if not ok or user is None:
        trail.record(db_session, TrailAction.SESSION_LOGIN_FAILED, "user", key[:64])
        raise InvalidCredentials(str(_l("Wrong username or password.")))
    return user


def check_reauthentication(db_session: Session, user: User, password: str) -> bool:
    """Whether `password` is the user's own, asked again to sign or to change the password.

    One counter with sign-in: the attempt is recorded like a login attempt, so wrong passwords
    here lock the username out of sign-in too, and a locked-out user is refused here
    (TooManyAttempts) without the password being checked, the refusal counting as well.
    The caller records its own trail event and raises its own error for a wrong password, a
    recorded one (`DomainError.recorded`) so that the edge keeps the attempt.
    """
    key = username_key(user.username)
    address = current_client_address()
    max_failures, window = lockout_policy()
    if _recent_failures(db_session, key, window) >= max_failures:
        raise _refuse_locked_out(db_session, key, address)
    ok = bool(user.active) and verify_password(user, password or "")
    db_session.add(LoginAttempt(username=key, client_address=address, succeeded=ok))
    return ok


def reauthenticate_to_sign(
    db_session: Session,
    actor: User | None,
    password: str,
    *,
    object_type: str,
    object_id: int,
    details: dict[str, Any],
) -> None:
    """The signer's password asked again (21 CFR Part 11 §11.200), for every kind of signature.

    A wrong one counts in the sign-in lockout; a locked-out signer is refused
    (TooManyAttempts) whatever the password. Each refusal is recorded as `signature:refused`
    on the signed object; both errors are recorded ones, so the edge keeps that record although
    the request fails.
    """

    def record(reason: str = "") -> None:
        trail.record(
            db_session,
            TrailAction.SIGNATURE_REFUSED,
            object_type,
            object_id,
            actor=actor,
            after=details,
            reason=reason,
        )

    try:
        if actor is not None and check_reauthentication(db_session, actor, password):
            return
    except TooManyAttempts:
        record("lockout")
        raise
    record()
    raise SignatureRefused(
        str(_l("Wrong password: the signature was not applied.")), field="password"
    )


def open_session(db_session: Session, user: User) -> UserSession:
    """Start a server-side session and bind the cookie to it."""
    token = secrets.token_urlsafe(32)
    record = UserSession(
        user_id=user.id,
        token_hash=_digest(token),
        client_address=current_client_address(),
        user_agent=current_user_agent(),
    )
    db_session.add(record)
    db_session.flush()
    session.clear()
    session[SESSION_KEY] = token
    session.permanent = True
    login_user(user)
    trail.record(
        db_session,
        TrailAction.SESSION_LOGIN,
        "user",
        user.id,
        actor=user,
        after={"session": record.id},
    )
    return record


def current_session_record(db_session: Session) -> UserSession | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    return db_session.scalar(sa.select(UserSession).where(UserSession.token_hash == _digest(token)))


def close_session(db_session: Session, user: User | None) -> None:
    record = current_session_record(db_session)
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        trail.record(
            db_session,
            TrailAction.SESSION_LOGOUT,
            "user",
            record.user_id,
            actor=user,
            after={"session": record.id},
        )
    logout_user()
    session.clear()


def _load_user(user_id: str) -> User | None:
    """Flask-Login's loader: only a live server-side session yields a user."""
    db_session = db.session
    record = current_session_record(db_session)
    if record is None or record.revoked_at is not None or str(record.user_id) != user_id:
        return None
    lifetime = current_app.permanent_session_lifetime
    if record.created_at + lifetime < utcnow():
        return None
    user = record.user
    return user if user.active else None


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = _l("Sign in to continue.")
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.init_app(app)
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
