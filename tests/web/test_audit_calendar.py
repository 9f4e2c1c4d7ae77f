"""The private calendar feed: created on its page (CSRF), read anonymously by a calendar app,
holding the user's audits only; revoked → 404; a new feed revokes the old one."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from qms.audits import calendar
from qms.capa import services as capa
from qms.capa import treatment
from qms.core.db import db
from qms.documents import approval
from qms.users.models import User
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import csrf_token, login, trail_events

URL_RE = re.compile(r'id="feed-url"[^>]*value="([^"]+\.ics)"')


@pytest.fixture
def world(app):
    org = build_audit_org(app)
    programme_id = programme_for(app, org)
    mine = planned_audit(app, org, programme_id)  # Sara is an auditee
    others = planned_audit(
        app,
        org,
        programme_id,
        title="Auditoría a Gestión de Calidad",
        process_ids=[org.gc_id],
        auditee_ids=[org.lead_id],
        place="Sala de juntas",
    )
    with app.app_context():  # the page asserts read English text, whatever the catalogue says
        db.session.execute(sa.update(User).where(User.id == org.staff_id).values(locale="en"))
        db.session.commit()
    return org, mine, others


def _signed_in(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _create(client) -> str:
    token = csrf_token(client, "/calendar")
    response = client.post("/calendar/feed", data={"csrf_token": token})
    assert response.status_code == 200
    match = URL_RE.search(response.get_data(as_text=True))
    assert match, "the subscribe URL is shown once"
    return match.group(1).split("127.0.0.1:8000", 1)[1]


def _uids(data: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(data).walk("VEVENT")}


def test_a_feed_holds_my_audits_and_not_the_others(app, world):
    org, mine, others = world
    sara = _signed_in(app, "sara")
    assert "no active calendar feed" in sara.get("/calendar").get_data(as_text=True)
    path = _create(sara)
    assert path.startswith("/calendar/") and path.endswith(".ics")
    response = app.test_client().get(path)  # a calendar app: no session
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.data)
    (event,) = parsed.walk("VEVENT")
    assert str(event["UID"]) == f"audit-{mine}@qms"
    assert f"audit-{others}@qms" not in _uids(response.data)
    with app.app_context():
        audit = calendar.user_audits(db.session, org.staff_id)[0]
        assert event.decoded("DTSTART") == audit.start_on
        assert event.decoded("DTEND") == audit.end_on + timedelta(days=1)
        assert str(event["SUMMARY"]).startswith(audit.code)
        assert str(event["LOCATION"]) == "Sede principal, sala 2"
        assert str(event["URL"]) == f"http://127.0.0.1:8000/audits/{mine}"
        assert int(event["SEQUENCE"]) == 0
    # The page no longer shows the address, only that a feed is active.
    page = sara.get("/calendar").get_data(as_text=True)
    assert path not in page and 'id="feed-url"' not in page
    assert len(trail_events(app, "calendar_feed:create")) == 1


def test_revoked_and_replaced_feeds_answer_not_found(app, world):
    _org, _mine, _others = world
    sara = _signed_in(app, "sara")
    first = _create(sara)
    second = _create(sara)  # a new address revokes the old one
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    token = csrf_token(sara, "/calendar")
    assert sara.post("/calendar/feed/revoke", data={"csrf_token": token}).status_code == 302
    assert anonymous.get(second).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert len(trail_events(app, "calendar_feed:create")) == 2
    assert len(trail_events(app, "calendar_feed:revoke")) == 2
    assert "no active calendar feed" in sara.get("/calendar").get_data(as_text=True)


def test_revoke_needs_the_csrf_token(app, world):
    sara = _signed_in(app, "sara")
    path = _create(sara)
    assert sara.post("/calendar/feed/revoke").status_code == 400
    assert app.test_client().get(path).status_code == 200


def test_the_lead_auditor_sees_report_due_dates_and_owners_their_actions(app, world):
    org, mine, others = world
    today = approval.today()
    with app.app_context():
        lead = user(org.lead_id)
        nc = capa.report_nonconformity(
            db.session,
            lead,
            source="process",
            process_id=org.ac_id,
            title="Indicador bajo",
            description="Oportunidad de respuesta 71 %",
            detected_on=today,
        )
        capa.accept_nonconformity(db.session, lead, nc.id)
        capa.contain_nonconformity(db.session, lead, nc.id, "Refuerzo de turnos")
        treatment.analyse_nonconformity(
            db.session, lead, nc.id, action_needed=True, method="five_whys", data={"whys": ["x"]}
        )
        action = treatment.add_action(
            db.session,
            lead,
            nc.id,
            kind="corrective",
            description="Contratar un auxiliar",
            owner_id=org.staff_id,
            due_on=today + timedelta(days=10),
        )
        _feed, jorge_token = calendar.create_feed(db.session, user(org.auditor_id))
        _feed, sara_token = calendar.create_feed(db.session, user(org.staff_id))
        db.session.commit()
        jorge = calendar.feed_ics(db.session, jorge_token, base_url="https://qms.example")
        sara = calendar.feed_ics(db.session, sara_token)
    assert _uids(jorge) == {
        f"audit-{mine}@qms",
        f"audit-{others}@qms",
        f"audit-report-{mine}@qms",
        f"audit-report-{others}@qms",
    }
    report_due = next(
        e for e in Calendar.from_ical(jorge).walk("VEVENT") if "report" in str(e["UID"])
    )
    assert report_due.decoded("DTSTART") == today + timedelta(days=5)  # QMS_AUDIT_REPORT_DAYS
    assert _uids(sara) == {f"audit-{mine}@qms", f"capa-action-{action.id}@qms"}
    due = next(e for e in Calendar.from_ical(sara).walk("VEVENT") if "capa" in str(e["UID"]))
    assert due.decoded("DTSTART") == today + timedelta(days=10)
    assert str(due["DESCRIPTION"]) == "Contratar un auxiliar"
