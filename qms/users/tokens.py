"""Personal API tokens: shown once, kept as SHA-256, carry their owner's permissions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import rowcount, utcnow
from qms.core.errors import NotAuthenticated, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail
from qms.users.models import ApiToken, User

TOKEN_PREFIX = "qms_"  # noqa: S105 (a marker, not a secret)
# What the owner sees to tell tokens apart: the marker and 8 random characters (48 bits),
# far too little to guess the remaining ~200 bits from.
PREFIX_LENGTH = 12
MAX_NAME_LENGTH = 100
# Recording every use would turn each API read into a write (and on SQLite take the database
# write lock); a minute's precision is plenty to tell whether a token is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session,
    actor: User | None,
    name: str,
    *,
    owner: User | None = None,
    bypass_permission: bool = False,
) -> tuple[ApiToken, str]:
    """Issue a token for `owner` (the actor itself unless the CLI operator acts).

    The plain text is returned once and never stored.
    """
    if not bypass_permission:
        require(actor, Permission.TOKEN_MANAGE)
        # Through the web a user issues tokens for themselves only.
        owner = actor
    if owner is None:
        raise ValidationFailed(str(_l("Say whose token this is.")))
    if not owner.active:
        raise ValidationFailed(str(_l("The account is deactivated.")))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(str(_l("Give the token a name.")), field="name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            str(_l("The name must have at most %(n)d characters.", n=MAX_NAME_LENGTH)),
            field="name",
        )
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=owner.id, name=name, prefix=plain[:PREFIX_LENGTH], token_hash=_digest(plain)
    )
    session.add(token)
    session.flush()
    trail.record(
        session,
        TrailAction.TOKEN_CREATE,
        "api_token",
        token.id,
        actor=actor,
        after={"name": token.name, "prefix": token.prefix, "user": owner.username},
    )
    return token, plain


def list_tokens(session: Session, actor: User) -> list[ApiToken]:
    """The actor's own tokens, newest first, revoked ones included."""
    require(actor, Permission.TOKEN_MANAGE)
    stmt = sa.select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def _revoke(session: Session, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        trail.record(
            session,
            TrailAction.TOKEN_REVOKE,
            "api_token",
            token.id,
            actor=actor,
            after={"name": token.name, "prefix": token.prefix, "user": token.user.username},
        )
    return token


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice is harmless."""
    require(actor, Permission.TOKEN_MANAGE)
    token = session.get(ApiToken, token_id)
    # Someone else's token answers as if it did not exist.
    if token is None or token.user_id != actor.id:
        raise NotFound(str(_l("Token not found.")))
    return _revoke(session, actor, token)


def revoke_token_by_prefix(session: Session, owner: User, prefix: str) -> ApiToken:
    """The operator's revocation (CLI): the owner's live token that starts with `prefix`."""
    prefix = (prefix or "").strip()
    if len(prefix) < len(TOKEN_PREFIX) + 4:
        raise ValidationFailed(str(_l("Give at least the first 8 characters of the token.")))
    stmt = sa.select(ApiToken).where(
        ApiToken.user_id == owner.id,
        ApiToken.revoked_at.is_(None),
        ApiToken.prefix.startswith(prefix[:PREFIX_LENGTH], autoescape=True),
    )
    matches = list(session.scalars(stmt))
    if not matches:
        raise NotFound(str(_l("Token not found.")))
    if len(matches) > 1:
        raise ValidationFailed(str(_l("Several tokens match; give a longer prefix.")))
    return _revoke(session, None, matches[0])


def revoke_all_tokens(session: Session, user: User) -> int:
    """Revoke every live token of `user` (deactivation records its own trail event)."""
    stmt = (
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return rowcount(session.execute(stmt))


def user_for_token(session: Session, plain: str) -> User:
    """The active owner of a live token, or NotAuthenticated."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        raise NotAuthenticated(str(_l("Invalid or revoked API token.")))
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(plain)))
    if token is None or token.revoked_at is not None or not token.user.active:
        raise NotAuthenticated(str(_l("Invalid or revoked API token.")))
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
    return token.user
