"""Personal API tokens: shown once, kept as SHA-256, carry their owner's permissions."""

from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.errors import NotAuthenticated, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.trail import services as trail
from qms.users.models import ApiToken, User

TOKEN_PREFIX = "qms_"  # noqa: S105 (a marker, not a secret)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, actor: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for the actor itself; the plain text is returned once and never stored."""
    require(actor, Permission.TOKEN_MANAGE)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(str(_l("Give the token a name.")), field="name")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.id, name=name[:100], prefix=plain[:12], token_hash=_digest(plain)
    )
    session.add(token)
    session.flush()
    trail.record(
        session,
        "token:create",
        "api_token",
        token.id,
        actor=actor,
        after={"name": token.name, "prefix": token.prefix, "user": actor.username},
    )
    return token, plain


def list_tokens(session: Session, actor: User) -> list[ApiToken]:
    require(actor, Permission.TOKEN_MANAGE)
    stmt = sa.select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def revoke_token(session: Session, actor: User, token_id: int) -> ApiToken:
    require(actor, Permission.TOKEN_MANAGE)
    token = session.get(ApiToken, token_id)
    # Someone else's token answers as if it did not exist.
    if token is None or token.user_id != actor.id:
        raise NotFound(str(_l("Token not found.")))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        trail.record(
            session,
            "token:revoke",
            "api_token",
            token.id,
            actor=actor,
            after={"name": token.name, "prefix": token.prefix},
        )
    return token


def revoke_all_tokens(session: Session, user: User) -> int:
    stmt = (
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return session.execute(stmt).rowcount  # type: ignore[attr-defined]


def user_for_token(session: Session, plain: str) -> User:
    """The active owner of a live token, or NotAuthenticated."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _digest(plain or "")))
    if token is None or token.revoked_at is not None or not token.user.active:
        raise NotAuthenticated(str(_l("Invalid or revoked API token.")))
    token.last_used_at = utcnow()
    return token.user
