"""Sending the audit plan: mails through a real SMTP server on localhost (aiosmtpd), only once
the transaction commits, each with an invitation that a calendar parses."""

from __future__ import annotations

from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from qms.audits.models import Audit, AuditState
from qms.audits.notify import notify_plan
from qms.core.db import db
from qms.notifications.models import Notification
from qms.users.models import User
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import trail_events
from tests.smtp_inbox import serve_inbox


class Inbox:
    def __init__(self) -> None:
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        parts = [p for p in message.walk() if not p.is_multipart()]
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": str(make_header(decode_header(message["Subject"]))),
                "body": parts[0].get_payload(decode=True).decode("utf-8"),
                "attachments": [
                    (p.get_content_type(), p.get_filename(), p.get_payload(decode=True))
                    for p in parts[1:]
                ],
            }
        )
        return "250 OK"


@pytest.fixture
def inbox(app):
    yield from serve_inbox(app, Inbox())


@pytest.fixture
def world(app):
    org = build_audit_org(app)
    audit_id = planned_audit(app, org, programme_for(app, org))
    with app.app_context():  # Olga reads English; the others keep the default (Spanish)
        db.session.execute(sa.update(User).where(User.id == org.leader_id).values(locale="en"))
        db.session.commit()
    return org, audit_id


def test_the_plan_is_mailed_after_the_commit_with_a_calendar_invitation(app, world, inbox):
    org, audit_id = world
    with app.app_context():
        audit = notify_plan(db.session, user(org.auditor_id), audit_id)
        code = audit.code
        assert audit.state == AuditState.PLAN_NOTIFIED and audit.notified_at is not None
        assert inbox.messages == []  # nothing leaves while the transaction is open
        db.session.commit()
    # Auditees Olga and Sara, lead auditor Jorge; Lucía (auditor) has no address.
    assert sorted(m["to"][0] for m in inbox.messages) == [
        "jorge@example.co",
        "olga@example.co",
        "sara@example.co",
    ]
    olga = next(m for m in inbox.messages if m["to"] == ["olga@example.co"])
    assert olga["subject"].startswith(f"Audit plan {code}")
    assert f"/audits/{audit_id}" in olga["body"] and f"/audits/{audit_id}/plan.pdf" in olga["body"]
    for message in inbox.messages:
        assert code in message["subject"]
        ((content_type, filename, data),) = message["attachments"]
        assert (content_type, filename) == ("text/calendar", f"{code}.ics")
        calendar = Calendar.from_ical(data)
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]) == f"audit-{audit_id}@qms"
        assert code in str(event["SUMMARY"])
        assert str(event["LOCATION"]) == "Sede principal, sala 2"
        assert str(event["ORGANIZER"]) == "mailto:jorge@example.co"
    with app.app_context():
        audit = db.session.get(Audit, audit_id)
        first = audit.start_on
        event = Calendar.from_ical(inbox.messages[0]["attachments"][0][2]).walk("VEVENT")[0]
        assert event.decoded("DTSTART") == first
        # The bell shows it to every recipient, Lucía included; the tick will not mail it again.
        notes = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
        assert {n.user_id for n in notes} == {
            org.auditor_id,
            org.second_auditor_id,
            org.leader_id,
            org.staff_id,
        }
        assert all(n.emailed_at is not None and n.url == f"/audits/{audit_id}" for n in notes)
        assert len({n.key for n in notes}) == 1 and notes[0].key.startswith(
            f"audit-plan:{audit_id}:"
        )
    assert len(trail_events(app, "audit:notify_plan")) == 1


def test_nothing_is_sent_when_the_transaction_rolls_back(app, world, inbox):
    org, audit_id = world
    with app.app_context():
        notify_plan(db.session, user(org.auditor_id), audit_id)
        db.session.rollback()
        # A later, unrelated commit must not send the dropped mails either.
        db.session.execute(sa.update(User).where(User.id == org.staff_id).values(job_title="X"))
        db.session.commit()
        assert db.session.get(Audit, audit_id).state == AuditState.PLANNED
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 0
    assert inbox.messages == []
    assert trail_events(app, "audit:notify_plan") == []


def test_without_a_mail_server_the_plan_is_sent_and_the_bell_rings(app, world):
    org, audit_id = world
    assert not app.extensions["qms_settings"].smtp_host
    with app.app_context():
        notify_plan(db.session, user(org.lead_id), audit_id)  # a quality lead may send it too
        db.session.commit()
        assert db.session.get(Audit, audit_id).state == AuditState.PLAN_NOTIFIED
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 4
