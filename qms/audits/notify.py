"""Sending the audit plan: the NOTIFY_PLAN transition and a bell notification per recipient in
the caller's transaction; the mails (each with the invitation as an .ics) only once that
transaction has committed.

The mails are prepared while the transaction is open (plain values, in each recipient's
language) and parked in the session's outbox (`qms.core.outbox`), which sends them right
after the commit and drops them on a rollback, so a plan that was not sent is never
announced. No SMTP host, no mail: the bell still shows the plan. A failed mail is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.audits.calendar import audit_ics, audit_path, plan_pdf_path
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit
from qms.audits.services import get_audit
from qms.core.db import utcnow
from qms.core.outbox import after_commit
from qms.core.timefmt import format_day
from qms.notifications.mail import Attachment, SmtpSettings, send_mail
from qms.notifications.models import Notification
from qms.notifications.reminders import smtp_settings
from qms.users.models import User

PLAN_MAILS = "audits:plan-mails"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanMail:
    to: str
    subject: str
    body: str
    ics: bytes
    filename: str


def recipients(audit: Audit) -> list[User]:
    """The team and the auditees, each once, active accounts only."""
    people: dict[int, User] = {}
    for person in [m.user for m in audit.team] + list(audit.auditees):
        if person.active:
            people.setdefault(person.id, person)
    return list(people.values())


def _body(audit: Audit, base_url: str) -> str:
    lines = [
        _("You are invited to the internal audit %(code)s.", code=audit.code),
        "",
        f"{_('Audit')}: {audit.code} · {audit.title}",
        f"{_('Dates')}: {format_day(audit.start_on)} – {format_day(audit.end_on)}",
    ]
    if audit.place:
        lines.append(f"{_('Place')}: {audit.place}")
    lines += [
        f"{_('Lead auditor')}: {audit.lead_auditor.full_name}",
        f"{_('Scope')}: {audit.scope}",
        f"{_('Criteria')}: {audit.criteria}",
        "",
        f"{_('The audit')}: {base_url}{audit_path(audit.id)}",
        f"{_('The audit plan (PDF)')}: {base_url}{plan_pdf_path(audit.id)}",
        "",
        _("The attached invitation adds the audit to your calendar."),
    ]
    return "\n".join(lines)


def _bell(session: Session, person: User, key: str, title: str, audit: Audit) -> None:
    stmt = sa.select(Notification.id).where(
        Notification.user_id == person.id, Notification.key == key
    )
    if session.scalar(stmt) is not None:
        return
    # Mailed here (after the commit), never again by the tick's reminders.
    session.add(
        Notification(
            user_id=person.id,
            key=key,
            title=title[:300],
            body=audit.scope[:2000],
            url=audit_path(audit.id),
            emailed_at=utcnow(),
        )
    )


def notify_plan(session: Session, actor: Any, audit_id: int) -> Audit:
    """Send the audit plan to the auditees and the team: the state moves in this transaction;
    the mails leave after it commits."""
    audit = get_audit(session, actor, audit_id)
    WORKFLOW.apply(session, audit, AuditAction.NOTIFY_PLAN, actor, values={"notified_at": utcnow()})
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.extensions["qms_settings"]
    base_url = settings.base_url.rstrip("/")
    smtp = smtp_settings(app)
    organizer = audit.lead_auditor.email or smtp.sender
    ics = audit_ics(audit, base_url, method="REQUEST", organizer=organizer)
    notified_on = audit.notified_at.date() if audit.notified_at else utcnow().date()
    key = f"audit-plan:{audit.id}:{len(audit.reschedules)}:{notified_on.isoformat()}"
    mails = []
    for person in recipients(audit):
        with force_locale(person.locale or "es"):
            subject = _("Audit plan %(code)s: %(title)s", code=audit.code, title=audit.title)
            body = _body(audit, base_url)
        _bell(session, person, key, subject, audit)
        if smtp.enabled and person.email:
            mails.append(PlanMail(person.email, subject, body, ics, f"{audit.code}.ics"))
    session.flush()
    if mails:
        after_commit(session, PLAN_MAILS, _PlanMails()).batches.append((smtp, mails))
    return audit


def _send(smtp: SmtpSettings, mails: list[PlanMail]) -> None:
    for mail in mails:
        invitation = Attachment(mail.filename, "text/calendar", mail.ics, (("method", "REQUEST"),))
        try:
            send_mail(smtp, mail.to, mail.subject, mail.body, [invitation])
        except Exception:  # the plan is sent (committed); one mail server error must not stop it
            log.exception("audit plan mail to %s failed", mail.to)


@dataclass
class _PlanMails:
    """The plan mails one transaction prepared, sent once it has committed."""

    batches: list[tuple[SmtpSettings, list[PlanMail]]] = field(default_factory=list)

    def __call__(self) -> None:
        for smtp, mails in self.batches:
            _send(smtp, mails)
