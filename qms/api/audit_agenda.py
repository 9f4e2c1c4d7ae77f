"""The audit plan's agenda and the token owner's private calendar feed in the API — thin
endpoints over qms.audits.agenda and qms.audits.calendar.

Who may change the agenda (a quality lead or the audit's lead auditor, while the plan may still
change: 409 once the audit has started), hidden audits (404) and the trail are the services'.
The feed's subscribe URL carries its token: it is answered once, by the call that creates the
feed, and never shown again (only its hash is stored).
"""

from __future__ import annotations

from flask import current_app

from qms.api.audits import TAG, audit_model
from qms.api.blueprint import api
from qms.api.dates import parse_date
from qms.api.models.audit_bodies import AuditAgendaItemCreate
from qms.api.models.audits import Audit as AuditOut
from qms.api.models.audits import CalendarFeed, CalendarFeedCreated
from qms.audits import agenda, calendar
from qms.audits import services as audits
from qms.core.db import db
from qms.core.permissions import Permission
from qms.users.models import User

P = Permission


# --- Agenda --------------------------------------------------------------------------------


@api.route(
    "/audits/<int:audit_id>/agenda",
    method="POST",
    summary="Add a line to the plan's agenda: opening, interview with a process, closing",
    response=AuditOut,
    permission=P.AUDIT_CONDUCT,
    body=AuditAgendaItemCreate,
    tag=TAG,
)
def add_audit_agenda_item(actor: User, audit_id: int, body: AuditAgendaItemCreate) -> AuditOut:
    """A quality lead or the audit's lead auditor, before the audit starts. The day is one of
    the audit's; an interview names one of the audited processes."""
    agenda.add_agenda_item(
        db.session,
        actor,
        audit_id,
        kind=body.kind,
        day=parse_date(body, "day"),
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        process_id=body.process_id,
        topic=body.topic,
        participants=body.participants,
    )
    return audit_model(audits.get_audit(db.session, actor, audit_id))


@api.route(
    "/audits/<int:audit_id>/agenda/default",
    method="POST",
    summary="Put the usual agenda on a plan without one: opening, one interview per process, "
    "closing",
    response=AuditOut,
    permission=P.AUDIT_CONDUCT,
    tag=TAG,
)
def add_default_audit_agenda(actor: User, audit_id: int) -> AuditOut:
    """Interviews fill the day's slots in turn; 409 when the agenda already has items."""
    agenda.add_default_agenda(db.session, actor, audit_id)
    return audit_model(audits.get_audit(db.session, actor, audit_id))


@api.route(
    "/audit-agenda-items/<int:item_id>/remove",
    method="POST",
    summary="Take a line off the plan's agenda before the audit starts",
    response=AuditOut,
    permission=P.AUDIT_CONDUCT,
    tag=TAG,
)
def remove_audit_agenda_item(actor: User, item_id: int) -> AuditOut:
    """A plan line, not evidence: it is deleted; the trail keeps what it was."""
    return audit_model(agenda.remove_agenda_item(db.session, actor, item_id))


# --- The private calendar feed -------------------------------------------------------------


@api.route(
    "/calendar-feed",
    summary="Whether the token owner has an active calendar feed, and since when",
    response=CalendarFeed,
    permission=P.CALENDAR_FEED_MANAGE,
    tag=TAG,
)
def calendar_feed(actor: User) -> CalendarFeed:
    """Never the feed's URL: it cannot be shown again; create a new feed to get one."""
    return CalendarFeed.of(calendar.active_feed(db.session, actor.id))


@api.route(
    "/calendar-feed",
    method="POST",
    summary="Create the token owner's calendar feed (revoking the old one): its URL, once",
    response=CalendarFeedCreated,
    permission=P.CALENDAR_FEED_MANAGE,
    tag=TAG,
)
def create_calendar_feed(actor: User) -> CalendarFeedCreated:
    """The iCalendar feed of one's audits, audit report due dates and open CAPA actions. The
    previous feed's URL stops working."""
    feed, token = calendar.create_feed(db.session, actor)
    base = current_app.extensions["qms_settings"].base_url.rstrip("/")
    return CalendarFeedCreated(url=base + calendar.feed_path(token), created_at=feed.created_at)


@api.route(
    "/calendar-feed/revoke",
    method="POST",
    summary="Revoke the token owner's calendar feed: its URL answers 404 from now on",
    response=CalendarFeed,
    permission=P.CALENDAR_FEED_MANAGE,
    tag=TAG,
)
def revoke_calendar_feed(actor: User) -> CalendarFeed:
    """Answers the same when there was no feed to revoke."""
    calendar.revoke_feed(db.session, actor)
    return CalendarFeed.of(calendar.active_feed(db.session, actor.id))
