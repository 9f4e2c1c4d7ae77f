"""Account services: create, edit, roles, passwords, deactivation. Each writes a trail event."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from qms.core.db import rowcount, utcnow
from qms.core.errors import Conflict, NotFound, TooManyAttempts, ValidationFailed
from qms.core.permissions import Permission, Role, require
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail
from qms.users.models import LOCALES, User, UserRole, UserSession

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    method = "scrypt"
    if has_app_context():
        method = current_app.config.get("QMS_PASSWORD_HASH_METHOD", method)
    return generate_password_hash(password, method=method)


def verify_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def check_password_strength(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            str(_l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)),
            field="password",
        )
    if username and username.lower() in password.lower():
        raise ValidationFailed(
            str(_l("The password must not contain the username.")), field="password"
        )


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "email": user.email,
        "locale": user.locale,
        "active": user.active,
        "roles": sorted(user.role_names),
    }


def _clean_profile(full_name: str, job_title: str, email: str, locale: str) -> dict[str, str]:
    full_name = (full_name or "").strip()
    email = (email or "").strip()
    if not full_name:
        raise ValidationFailed(str(_l("The full name is required.")), field="full_name")
    if email and not EMAIL_RE.match(email):
        raise ValidationFailed(str(_l("The email address is not valid.")), field="email")
    if locale not in LOCALES:
        raise ValidationFailed(str(_l("Unknown language.")), field="locale")
    return {
        "full_name": full_name[:200],
        "job_title": (job_title or "").strip()[:200],
        "email": email[:254],
        "locale": locale,
    }


def _clean_roles(roles: Iterable[str]) -> set[str]:
    cleaned = set()
    for role in roles:
        try:
            cleaned.add(Role(role).value)
        except ValueError:
            raise ValidationFailed(
                str(_l("Unknown role: %(role)s", role=role)), field="roles"
            ) from None
    return cleaned


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(str(_l("User not found.")))
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username.strip().lower()))


def list_users(
    session: Session,
    actor: Any,
    *,
    include_inactive: bool = True,
    active: bool | None = None,
    role: str | None = None,
    search: str = "",
) -> list[User]:
    """Accounts by username, narrowed by state, role and a name or username fragment."""
    require(actor, Permission.USER_READ)
    stmt = sa.select(User).order_by(User.username)
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    if role:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    term = (search or "").strip()[:100]
    if term:
        # Escape LIKE wildcards so that "%" or "_" in the search box match literally.
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", term.lower()) + "%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                User.username.like(pattern, escape="\\"),
            )
        )
    return list(session.scalars(stmt))


def create_user(
    session: Session,
    actor: Any,
    *,
    username: str,
    full_name: str,
    password: str,
    job_title: str = "",
    email: str = "",
    locale: str = "es",
    roles: Iterable[str] = (),
    bypass_permission: bool = False,
) -> User:
    """Create an account. `bypass_permission` is for the CLI run by the server's operator."""
    if not bypass_permission:
        require(actor, Permission.USER_MANAGE)
    username = (username or "").strip().lower()
    if not USERNAME_RE.match(username):
        raise ValidationFailed(
            str(_l("Usernames use 2–64 lowercase letters, digits, '.', '_' or '-'.")),
            field="username",
        )
    profile = _clean_profile(full_name, job_title, email, locale)
    role_set = _clean_roles(roles)
    check_password_strength(password, username)
    if find_user(session, username) is not None:
        raise Conflict(str(_l("The username %(u)s is taken.", u=username)), field="username")
    user = User(username=username, password_hash=hash_password(password), **profile)
    user.roles = [UserRole(role=r) for r in sorted(role_set)]
    session.add(user)
    session.flush()
    trail.record(
        session, TrailAction.USER_CREATE, "user", user.id, actor=actor, after=_snapshot(user)
    )
    return user


def update_user(
    session: Session,
    actor: Any,
    user_id: int,
    *,
    full_name: str,
    job_title: str,
    email: str,
    locale: str,
    roles: Iterable[str],
) -> User:
    require(actor, Permission.USER_MANAGE)
    user = get_user(session, user_id)
    before = _snapshot(user)
    profile = _clean_profile(full_name, job_title, email, locale)
    role_set = _clean_roles(roles)
    is_self = user.id == getattr(actor, "id", None)
    if is_self and Role.ADMIN in user.role_names and Role.ADMIN not in role_set:
        raise ValidationFailed(str(_l("You cannot remove your own admin role.")), field="roles")
    for key, value in profile.items():
        setattr(user, key, value)
    if role_set != user.role_names:
        user.roles = [r for r in user.roles if r.role in role_set] + [
            UserRole(role=r) for r in sorted(role_set - user.role_names)
        ]
    session.flush()
    old, new = trail.changes(before, _snapshot(user))
    if new:
        trail.record(
            session, TrailAction.USER_UPDATE, "user", user.id, actor=actor, before=old, after=new
        )
    return user


def update_own_profile(
    session: Session, actor: User, *, full_name: str, job_title: str, email: str, locale: str
) -> User:
    require(actor, Permission.PROFILE_EDIT)
    before = _snapshot(actor)
    for key, value in _clean_profile(full_name, job_title, email, locale).items():
        setattr(actor, key, value)
    session.flush()
    old, new = trail.changes(before, _snapshot(actor))
    if new:
        trail.record(
            session, TrailAction.PROFILE_EDIT, "user", actor.id, actor=actor, before=old, after=new
        )
    return actor


def revoke_sessions(session: Session, user: User, *, keep: UserSession | None = None) -> int:
    stmt = (
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    return rowcount(session.execute(stmt))


def _reauthenticate(session: Session, actor: User, current_password: str) -> None:
    """The current password, counted in the login lockout like a signature's: a stolen session
    cannot guess it here (TooManyAttempts once locked out). Each refusal is recorded."""
    from qms.users.auth import check_reauthentication  # auth imports this module

    def refused(reason: str = "") -> None:
        trail.record(
            session,
            TrailAction.USER_PASSWORD_CHANGE_REFUSED,
            "user",
            actor.id,
            actor=actor,
            reason=reason,
        )

    try:
        ok = check_reauthentication(session, actor, current_password)
    except TooManyAttempts:
        refused("lockout")
        raise
    if not ok:
        refused()
        raise ValidationFailed(str(_l("The current password is wrong.")), field="current_password")


def change_password(
    session: Session,
    actor: User,
    current_password: str,
    new_password: str,
    *,
    current_session: UserSession | None = None,
) -> None:
    """The user's own change: needs the current password; ends every other session."""
    require(actor, Permission.PROFILE_EDIT)
    _reauthenticate(session, actor, current_password)
    check_password_strength(new_password, actor.username)
    actor.password_hash = hash_password(new_password)
    actor.credentials_changed_at = utcnow()
    revoked = revoke_sessions(session, actor, keep=current_session)
    trail.record(
        session,
        TrailAction.USER_PASSWORD_CHANGE,
        "user",
        actor.id,
        actor=actor,
        after={"sessions_ended": revoked},
    )


def set_password(
    session: Session,
    actor: Any,
    user_id: int,
    new_password: str,
    *,
    bypass_permission: bool = False,
) -> User:
    """An administrator's reset; ends every session of that user."""
    if not bypass_permission:
        require(actor, Permission.USER_MANAGE)
    user = get_user(session, user_id)
    check_password_strength(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.credentials_changed_at = utcnow()
    revoked = revoke_sessions(session, user)
    trail.record(
        session,
        TrailAction.USER_PASSWORD_RESET,
        "user",
        user.id,
        actor=actor,
        after={"sessions_ended": revoked},
    )
    return user


def set_active(session: Session, actor: Any, user_id: int, active: bool, reason: str = "") -> User:
    """Deactivate (ending sessions and tokens) or reactivate; accounts are never deleted."""
    require(actor, Permission.USER_MANAGE)
    user = get_user(session, user_id)
    if user.active == active:
        return user
    if not active and user.id == getattr(actor, "id", None):
        raise ValidationFailed(str(_l("You cannot deactivate your own account.")))
    if not active and not (reason or "").strip():
        raise ValidationFailed(str(_l("Say why the account is deactivated.")), field="reason")
    user.active = active
    user.deactivated_at = None if active else utcnow()
    user.credentials_changed_at = utcnow()
    if not active:
        revoke_sessions(session, user)
        from qms.users.tokens import revoke_all_tokens

        revoke_all_tokens(session, user)
    trail.record(
        session,
        TrailAction.USER_ACTIVATE if active else TrailAction.USER_DEACTIVATE,
        "user",
        user.id,
        actor=actor,
        before={"active": not active},
        after={"active": active},
        reason=reason.strip(),
    )
    return user
