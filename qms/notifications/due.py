"""What a reminder is: one DueItem per (user, item, occasion), and who the quality leads are.

Each domain says what it has due (`qms.capa.due`, `qms.documents.due`, `qms.audits.due`);
`qms.tick` gathers them and `qms.notifications.services.remind` creates and mails them. The key
says the occasion, so a later tick with nothing new creates nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core.permissions import Role
from qms.users.models import User, UserRole


@dataclass(frozen=True)
class DueItem:
    user_id: int
    key: str
    title: str
    body: str
    url: str


def quality_leads(session: Session) -> list[User]:
    stmt = (
        sa.select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.QUALITY_LEAD, User.active.is_(True))
    )
    return list(session.scalars(stmt))


def due_item(user: User, key: str, url: str, title: str, body: str = "") -> DueItem:
    return DueItem(user.id, key, title, body, url)
