"""Turning due items into notifications and mails (`qms tick`), and the bell's reads.

Two steps, each committed: first the notifications are created (a unique key per user and
occasion, so a second tick creates none); then each unsent one is claimed with a conditional
UPDATE and mailed — one mail per notification, or one digest a day for those who chose it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.db import rowcount, utcnow
from qms.core.errors import NotFound
from qms.core.localtime import local_date
from qms.core.trail_actions import TrailAction
from qms.notifications.due import DueItem
from qms.notifications.mail import SmtpSettings, send_mail
from qms.notifications.models import Notification, NotificationSetting
from qms.trail import services as trail
from qms.users.models import User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TickResult:
    created: int
    mailed: int


def _create(session: Session, items: list[DueItem]) -> int:
    existing: set[tuple[int, str]] = {
        (user_id, key)
        for user_id, key in session.execute(sa.select(Notification.user_id, Notification.key))
    }
    created = 0
    for item in items:
        if (item.user_id, item.key) in existing:
            continue
        existing.add((item.user_id, item.key))
        session.add(
            Notification(
                user_id=item.user_id, key=item.key, title=item.title, body=item.body, url=item.url
            )
        )
        created += 1
    if created:
        session.flush()
        trail.record(
            session, TrailAction.NOTIFICATION_CREATE, "notification", "", after={"count": created}
        )
    return created


def _claim(session: Session, ids: list[int]) -> bool:
    """Mark these as mailed unless someone else already did: True when this tick owns them."""
    now = utcnow()
    done = session.execute(
        sa.update(Notification)
        .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
        .values(emailed_at=now)
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != len(ids):
        session.rollback()
        return False
    session.commit()
    return True


def _body(notes: list[Notification], base_url: str) -> str:
    return "\n\n".join(f"{n.title}\n{n.body}\n{base_url}{n.url}".strip() for n in notes)


def _deliver(session: Session, smtp: SmtpSettings, base_url: str, today: date) -> int:
    pending = session.scalars(
        sa.select(Notification).where(Notification.emailed_at.is_(None)).order_by(Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = {}
    for note in pending:
        by_user.setdefault(note.user_id, []).append(note)
    mailed = 0
    for user_id, notes in by_user.items():
        user = session.get(User, user_id)
        if user is None or not user.active or not user.email:
            continue
        setting = session.get(NotificationSetting, user_id)
        if setting is not None and setting.daily_digest:
            if setting.digest_sent_on is not None and local_date(setting.digest_sent_on) >= today:
                continue  # today's digest went out; the rest waits for tomorrow's
            batches = [notes]
        else:
            batches = [[note] for note in notes]
        for batch in batches:
            if not _claim(session, [n.id for n in batch]):
                continue
            with force_locale(user.locale or "es"):
                subject = (
                    batch[0].title
                    if len(batch) == 1
                    else _("%(n)d reminders from the quality system", n=len(batch))
                )
            try:
                send_mail(smtp, user.email, subject, _body(batch, base_url))
                mailed += 1
            except Exception:  # a mail server down must not stop the other users
                log.exception("mail to %s failed; the notification stays in the app", user.email)
        if setting is not None and setting.daily_digest:
            setting.digest_sent_on = utcnow()
            session.commit()
    return mailed


def remind(
    session: Session, smtp: SmtpSettings, items: list[DueItem], *, today: date, base_url: str
) -> TickResult:
    """Create the notifications of today's due items, commit, then mail the unsent ones.

    Idempotent: the items' keys make a second run create nothing.
    """
    created = _create(session, items)
    session.commit()
    mailed = _deliver(session, smtp, base_url, today) if smtp.enabled else 0
    return TickResult(created, mailed)


def unread_count(session: Session, actor: Any) -> int:
    stmt = sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)
    )
    return int(session.scalar(stmt) or 0)


def list_notifications(session: Session, actor: Any, limit: int = 100) -> list[Notification]:
    stmt = (
        sa.select(Notification)
        .where(Notification.user_id == actor.id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def mark_read(session: Session, actor: Any, notification_id: int) -> Notification:
    """One's own notifications only; someone else's is not found."""
    note = session.get(Notification, notification_id)
    if note is None or note.user_id != actor.id:
        raise NotFound(str(_("Notification not found.")))
    if note.read_at is None:
        note.read_at = utcnow()
        trail.record(session, TrailAction.NOTIFICATION_READ, "notification", note.id, actor=actor)
    return note


def set_daily_digest(session: Session, actor: Any, daily_digest: bool) -> None:
    setting = session.get(NotificationSetting, actor.id)
    if setting is None:
        setting = NotificationSetting(user_id=actor.id, daily_digest=daily_digest)
        session.add(setting)
    setting.daily_digest = daily_digest
    trail.record(
        session,
        TrailAction.NOTIFICATION_SETTINGS,
        "user",
        actor.id,
        actor=actor,
        after={"daily_digest": daily_digest},
    )
