"""Audits in people's calendars: one audit as an .ics (the plan mail's invitation) and each
user's private feed of their audits and due dates, behind a revocable token.

The feed's URL carries the token; only its SHA-256 is stored. A user has at most one active
feed: creating a new one revokes the old, and a revoked or unknown token is a 404.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy.orm import Session

from qms.audits.models import Audit, AuditState, CalendarFeed
from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import CapaAction
from qms.core.db import utcnow
from qms.core.errors import NotFound
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail
from qms.users.models import User

P = Permission
PRODID = "-//QMS//Internal audits//ES"
# The lead auditor's report is due this long after the audit ends (QMS_AUDIT_REPORT_DAYS).
DEFAULT_REPORT_DAYS = 5
REPORT_PENDING = (AuditState.PLANNED, AuditState.PLAN_NOTIFIED, AuditState.IN_PROGRESS)


def audit_path(audit_id: int) -> str:
    return f"/audits/{audit_id}"


def plan_pdf_path(audit_id: int) -> str:
    return f"/audits/{audit_id}/plan.pdf"


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


def _settings_value(name: str, default: Any) -> Any:
    if not has_app_context():
        return default
    settings = current_app.extensions.get("qms_settings")
    return getattr(settings, name, default) if settings is not None else default


def _calendar(name: str, method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    cal.add("x-wr-calname", name)
    return cal


def _all_day(
    uid: str, first: date, last: date, summary: str, url: str, *, busy: bool = False
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", first)
    event.add("dtend", last + timedelta(days=1))  # DTEND of an all-day event is exclusive
    event.add("summary", summary)
    event.add("url", url)
    event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    return event


def audit_event(audit: Audit, base_url: str, *, organizer: str = "") -> Event:
    """The audit as an all-day VEVENT; SEQUENCE counts its reschedules, so updates replace."""
    url = base_url.rstrip("/") + audit_path(audit.id)
    event = _all_day(
        f"audit-{audit.id}@qms",
        audit.start_on,
        audit.end_on,
        f"{audit.code} · {audit.title}",
        url,
        busy=True,
    )
    event.add("sequence", len(audit.reschedules))
    event.add("status", "CANCELLED" if audit.state == AuditState.CANCELLED else "CONFIRMED")
    if audit.place:
        event.add("location", audit.place)
    event.add("description", f"{audit.scope}\n\n{url}")
    if organizer:
        lead = vCalAddress(f"mailto:{organizer}")
        lead.params["cn"] = vText(audit.lead_auditor.full_name)
        event.add("organizer", lead)
    return event


def _attendees(audit: Audit) -> list[User]:
    people = [m.user for m in audit.team] + list(audit.auditees)
    seen: dict[int, User] = {}
    for person in people:
        if person.active and person.email:
            seen.setdefault(person.id, person)
    return list(seen.values())


def audit_ics(
    audit: Audit, base_url: str, *, method: str = "PUBLISH", organizer: str = ""
) -> bytes:
    """One audit as an iCalendar file: METHOD:PUBLISH, or REQUEST (an invitation, which needs
    its organizer and lists the team and auditees as attendees)."""
    cal = _calendar(audit.code, method)
    event = audit_event(audit, base_url, organizer=organizer if method == "REQUEST" else "")
    if method == "REQUEST" and organizer:
        for person in _attendees(audit):
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(person.full_name)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=False)
    cal.add_component(event)
    return cal.to_ical()


# --- the private feed ---------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_feed(session: Session, user_id: int) -> CalendarFeed | None:
    stmt = sa.select(CalendarFeed).where(
        CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)
    )
    return session.scalars(stmt.order_by(CalendarFeed.id.desc())).first()


def revoke_feed(session: Session, actor: Any) -> CalendarFeed | None:
    """Revoke the actor's active feed (the URL answers 404 from now on); None if there was none."""
    require(actor, P.CALENDAR_FEED_MANAGE)
    revoked = None
    for feed in session.scalars(
        sa.select(CalendarFeed).where(
            CalendarFeed.user_id == actor.id, CalendarFeed.revoked_at.is_(None)
        )
    ):
        feed.revoked_at = utcnow()
        revoked = feed
        session.flush()
        trail.record(
            session, TrailAction.CALENDAR_FEED_REVOKE, "calendar_feed", feed.id, actor=actor
        )
    return revoked


def create_feed(session: Session, actor: Any) -> tuple[CalendarFeed, str]:
    """A new feed for the actor, revoking the previous one; the token is returned only here."""
    require(actor, P.CALENDAR_FEED_MANAGE)
    revoke_feed(session, actor)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=actor.id, token_sha256=_hash(token), created_at=utcnow())
    session.add(feed)
    session.flush()
    trail.record(session, TrailAction.CALENDAR_FEED_CREATE, "calendar_feed", feed.id, actor=actor)
    return feed, token


def feed_for_token(session: Session, token: str) -> CalendarFeed:
    feed = session.scalar(sa.select(CalendarFeed).where(CalendarFeed.token_sha256 == _hash(token)))
    if feed is None or feed.revoked_at is not None or not feed.user.active:
        raise NotFound(str(_l("Calendar not found.")))
    return feed


def user_audits(session: Session, user_id: int) -> list[Audit]:
    """The audits a user is on: team, auditee, leader of an audited process; not cancelled."""
    stmt = (
        sa.select(Audit)
        .where(Audit.owned_by_clause(user_id), Audit.state != AuditState.CANCELLED)
        .order_by(Audit.start_on, Audit.id)
    )
    return list(session.scalars(stmt))


def _open_actions(session: Session, user_id: int) -> Iterable[CapaAction]:
    stmt = sa.select(CapaAction).where(
        CapaAction.owner_id == user_id, CapaAction.status.in_(OPEN_ACTION)
    )
    return session.scalars(stmt.order_by(CapaAction.due_on, CapaAction.id))


def feed_ics(
    session: Session, token: str, *, base_url: str | None = None, report_days: int | None = None
) -> bytes:
    """The feed behind `token`: the user's audits, report due dates and open CAPA actions."""
    feed = feed_for_token(session, token)
    user = feed.user
    base = (base_url or _settings_value("base_url", "")).rstrip("/")
    days = (
        report_days
        if report_days is not None
        else _settings_value("audit_report_days", DEFAULT_REPORT_DAYS)
    )
    with force_locale(user.locale or "es"):
        cal = _calendar(_("Quality system · %(name)s", name=user.full_name))
        for audit in user_audits(session, user.id):
            cal.add_component(audit_event(audit, base))
            if audit.lead_auditor_id == user.id and audit.state in REPORT_PENDING:
                due = audit.end_on + timedelta(days=days)
                cal.add_component(
                    _all_day(
                        f"audit-report-{audit.id}@qms",
                        due,
                        due,
                        _("Audit report %(code)s due", code=audit.code),
                        base + audit_path(audit.id),
                    )
                )
        for action in _open_actions(session, user.id):
            nc = action.nonconformity
            event = _all_day(
                f"capa-action-{action.id}@qms",
                action.due_on,
                action.due_on,
                _("Action of %(code)s due", code=nc.code),
                f"{base}/nonconformities/{nc.id}",
            )
            event.add("description", action.description)
            cal.add_component(event)
    return cal.to_ical()
