"""`qms tick` reminds of the audits: plans to send, reports overdue, follow-ups to plan; once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from qms.audits import services as audits
from qms.audits.due import audit_due_items
from qms.audits.models import Audit
from qms.audits.notify import notify_plan
from qms.core.db import db
from qms.notifications.mail import SmtpSettings
from qms.notifications.models import Notification
from qms.notifications.services import remind
from qms.tick import due_items, tick_command
from tests.audit_flow_helpers import run_to_report
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user

NO_MAIL = SmtpSettings(host="")


@pytest.fixture
def world(app):
    org = build_audit_org(app)
    return org, programme_for(app, org)


def _keys(prefix: str) -> set[tuple[int, str]]:
    rows = db.session.execute(sa.select(Notification.user_id, Notification.key)).all()
    return {(uid, key) for uid, key in rows if key.startswith(prefix)}


def _tick(day, **windows) -> int:
    items = due_items(db.session, day, window=3, **windows)
    return remind(db.session, NO_MAIL, items, today=day, base_url="http://qms.test").created


def test_tick_reminds_to_send_the_plan_once(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    runner = app.test_cli_runner()
    first = runner.invoke(tick_command)
    assert first.exit_code == 0, first.output
    with app.app_context():
        start = db.session.get(Audit, audit_id).start_on
        key = f"audit-plan-due:{audit_id}:{start}"
        # The lead auditor (Jorge) and the quality lead (Ana).
        assert _keys("audit-plan-due:") == {(org.auditor_id, key), (org.lead_id, key)}
    second = runner.invoke(tick_command)
    assert "0 notification(s) created" in second.output
    with app.app_context():
        assert len(_keys("audit-plan-due:")) == 2


def test_the_plan_reminder_waits_for_the_notice_window(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        start = db.session.get(Audit, audit_id).start_on
        assert _tick(start - timedelta(days=8)) == 0  # QMS_AUDIT_PLAN_NOTICE_DAYS: 7
        assert _tick(start - timedelta(days=4), audit_plan_days=3) == 0
        assert _tick(start - timedelta(days=7)) == 2
        # A sent plan needs no reminder.
        notify_plan(db.session, user(org.auditor_id), audit_id)
        db.session.commit()
        assert not [i for i in audit_due_items(db.session, start) if "plan-due" in i.key]


def test_an_overdue_report_is_reminded_once(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        run_to_report(org, audit_id, issue=False)  # in progress, report written, not issued
        end = db.session.get(Audit, audit_id).end_on
        assert _tick(end + timedelta(days=5)) == 0  # due on end + QMS_AUDIT_REPORT_DAYS (5)
        assert _tick(end + timedelta(days=6)) == 2
        key = f"audit-report-overdue:{audit_id}:{end + timedelta(days=5)}"
        assert _keys("audit-report-overdue:") == {(org.auditor_id, key), (org.lead_id, key)}
        assert _tick(end + timedelta(days=7)) == 0
        # A shorter window reaches the items through the tick's parameters.
        assert _tick(end + timedelta(days=3), audit_report_days=2) == 2


def test_a_major_nonconformity_asks_for_a_follow_up_audit_once(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        run_to_report(org, audit_id)  # issued, with a major nonconformity in AC
        today = db.session.get(Audit, audit_id).end_on
        _tick(today)
        assert _keys("audit-follow-up:") == {(org.lead_id, f"audit-follow-up:{audit_id}")}
        assert _tick(today + timedelta(days=1)) == 0
        # Once a follow-up audit is planned, nothing is due any more.
        follow_up = audits.get_audit(
            db.session, user(org.lead_id), planned_audit(app, org, programme_id)
        )
        db.session.execute(
            sa.update(Audit).where(Audit.id == follow_up.id).values(follow_up_of_id=audit_id)
        )
        db.session.commit()
        items = audit_due_items(db.session, today)
        assert not [i for i in items if i.key.startswith("audit-follow-up:")]
