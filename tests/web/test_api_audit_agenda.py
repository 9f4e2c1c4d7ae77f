"""The audit plan's agenda and the private calendar feed through the API with personal tokens:
the lead auditor keeps the agenda (another team member 403, after the start 409, bad lines
400 with nothing stored), the usual agenda, removal; the feed's URL answered once, fetched
anonymously as iCalendar, revoked → 404, never shown again.
Tests marked `sql` (visibility, races, constraints) also run on PostgreSQL.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from icalendar import Calendar

from qms.audits.models import AgendaItem, CalendarFeed
from qms.core.db import db
from qms.documents import approval
from tests.audits_fixtures import AuditOrg, build_audit_org, planned_audit, programme_for
from tests.helpers import bearer_for, trail_events
from tests.web.test_api_documents import call
from tests.web.test_api_shapes import assert_no_secrets

TODAY = approval.today()


@pytest.fixture
def org(app: Flask) -> AuditOrg:
    return build_audit_org(app)


@pytest.fixture
def as_(app: Flask, org: AuditOrg) -> dict[str, dict[str, str]]:
    """Bearer headers: ana (quality lead), jorge (lead auditor), lucia (auditor on the team),
    sara (staff in AC, auditee), pedro (outsider)."""
    ids = {
        "ana": org.lead_id,
        "jorge": org.auditor_id,
        "lucia": org.second_auditor_id,
        "sara": org.staff_id,
        "pedro": org.outsider_id,
    }
    return {name: bearer_for(app, uid) for name, uid in ids.items()}


@pytest.fixture
def audit_id(app: Flask, org: AuditOrg) -> int:
    """Planned for today, on AC; jorge leads, lucia audits, olga and sara are audited."""
    return planned_audit(app, org, programme_for(app, org))


def _opening(**changes: object) -> dict[str, object]:
    body = {
        "kind": "opening",
        "day": TODAY.isoformat(),
        "starts_at": "8:00",
        "ends_at": "08:30",
        "topic": "Reunión de apertura",
        "participants": "Equipo auditor; líder de AC.",
    }
    return body | changes


def _stored_items(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)) or 0


def test_the_lead_auditor_keeps_the_agenda(app, client, org, as_, audit_id):
    path = f"/audits/{audit_id}/agenda"
    added = call(client, "POST", path, as_["jorge"], 200, **_opening())
    (item,) = added["agenda"]
    assert (item["kind"], item["day"], item["starts_at"], item["ends_at"]) == (
        "opening",
        TODAY.isoformat(),
        "08:00",  # 8:00 → 08:00
        "08:30",
    )
    assert item["participants"] == "Equipo auditor; líder de AC." and item["process_id"] is None
    (event,) = trail_events(app, "audit:add_agenda_item")
    assert event.actor_name == "jorge" and event.object_id == str(audit_id)
    assert json.loads(event.after)["kind"] == "opening"

    # Another member of the team, or someone without audit:conduct: refused, nothing recorded.
    refused = call(client, "POST", path, as_["lucia"], 403, **_opening(kind="closing"))
    assert refused["error"]["code"] == "forbidden"
    call(client, "POST", path, as_["sara"], 403, **_opening())
    call(client, "POST", f"{path}/default", as_["lucia"], 403)
    call(client, "POST", f"/audit-agenda-items/{item['id']}/remove", as_["lucia"], 403)
    assert len(trail_events(app, "audit:add_agenda_item")) == 1
    assert not trail_events(app, "audit:remove_agenda_item")
    assert _stored_items(app) == 1

    # The usual agenda only on a plan without one.
    assert call(client, "POST", f"{path}/default", as_["jorge"], 409)["error"]["code"] == "conflict"
    removed = call(client, "POST", f"/audit-agenda-items/{item['id']}/remove", as_["jorge"], 200)
    assert removed["agenda"] == []
    (gone,) = trail_events(app, "audit:remove_agenda_item")
    assert gone.actor_name == "jorge" and json.loads(gone.before)["item"] == item["id"]
    call(client, "POST", f"/audit-agenda-items/{item['id']}/remove", as_["jorge"], 404)

    usual = call(client, "POST", f"{path}/default", as_["jorge"], 200)
    assert [(i["kind"], i["process_id"]) for i in usual["agenda"]] == [
        ("opening", None),
        ("interview", org.ac_id),
        ("closing", None),
    ]
    assert len(trail_events(app, "audit:add_agenda_item")) == 4
    # A quality lead may add lines too.
    interview = _opening(kind="interview", starts_at="10:30", ends_at="11:30", process_id=org.ac_id)
    by_lead = call(client, "POST", path, as_["ana"], 200, **interview)
    assert len(by_lead["agenda"]) == 4
    assert (
        call(client, "GET", f"/audits/{audit_id}", as_["sara"], 200)["agenda"]
        == (by_lead["agenda"])
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_at": "25:00"}, "starts_at"),
        ({"starts_at": "ocho"}, "starts_at"),
        ({"ends_at": "07:59"}, "ends_at"),
        ({"ends_at": "08:00"}, "ends_at"),
        ({"day": "mañana"}, "day"),
        ({"day": "2000-01-01"}, "day"),
        ({"kind": "lunch"}, "kind"),
        ({"kind": "interview"}, "process_id"),
        ({"process_id": 9999}, "process_id"),
        ({"starts_at": 8}, "starts_at"),
        ({"room": "2"}, "room"),
    ],
)
def test_bad_agenda_lines_are_400_and_store_nothing(app, client, as_, audit_id, changes, field):
    refused = call(
        client, "POST", f"/audits/{audit_id}/agenda", as_["jorge"], 400, **_opening(**changes)
    )
    assert refused["error"]["field"] == field
    assert _stored_items(app) == 0 and not trail_events(app, "audit:add_agenda_item")


@pytest.mark.sql
def test_the_agenda_is_fixed_once_the_audit_starts(app, client, as_, audit_id):
    path = f"/audits/{audit_id}"
    call(client, "POST", f"{path}/agenda/default", as_["jorge"], 200)
    call(client, "POST", f"{path}/notify", as_["jorge"], 200)
    added = call(client, "POST", f"{path}/agenda", as_["jorge"], 200, **_opening(kind="other"))
    assert len(added["agenda"]) == 4  # the notified plan may still change
    call(client, "POST", f"{path}/start", as_["jorge"], 200)
    events = len(trail_events(app, "audit:add_agenda_item"))

    late = call(client, "POST", f"{path}/agenda", as_["jorge"], 409, **_opening(kind="other"))
    assert late["error"]["code"] == "conflict"
    call(client, "POST", f"{path}/agenda", as_["ana"], 409, **_opening(kind="other"))
    item_id = added["agenda"][0]["id"]
    call(client, "POST", f"/audit-agenda-items/{item_id}/remove", as_["jorge"], 409)
    assert _stored_items(app) == 4
    assert len(trail_events(app, "audit:add_agenda_item")) == events
    assert not trail_events(app, "audit:remove_agenda_item")
    for unknown in ("/audits/9999/agenda/default", "/audit-agenda-items/9999/remove"):
        assert call(client, "POST", unknown, as_["ana"], 404)["error"]["code"] == "not_found"


def _uids(data: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(data).walk("VEVENT")}


def test_the_calendar_feed_through_the_api(app, client, org, as_, audit_id):
    sara = as_["sara"]
    assert call(client, "GET", "/calendar-feed", sara, 200) == {"active": False, "created_at": None}
    created = call(client, "POST", "/calendar-feed", sara, 200)
    url = created["url"]
    assert url.startswith("http://127.0.0.1:8000/calendar/") and url.endswith(".ics")
    path = urlsplit(url).path
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    (made,) = trail_events(app, "calendar_feed:create")
    assert made.actor_name == "sara"

    response = app.test_client().get(path)  # a calendar app: no token, no session
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert f"audit-{audit_id}@qms" in _uids(response.data)

    shown = call(client, "GET", "/calendar-feed", sara, 200)
    assert shown == {"active": True, "created_at": created["created_at"]}
    with app.app_context():
        hashes = list(db.session.scalars(sa.select(CalendarFeed.token_sha256)))
    assert_no_secrets(app, json.dumps(shown), token, *hashes)
    assert token not in json.dumps(call(client, "GET", "/calendar-feed", sara, 200))

    # A new feed revokes the old one; revoking leaves no address that works.
    again = call(client, "POST", "/calendar-feed", sara, 200)
    second = urlsplit(again["url"]).path
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(second).status_code == 200
    revoked = call(client, "POST", "/calendar-feed/revoke", sara, 200)
    assert revoked == {"active": False, "created_at": None}
    assert anonymous.get(second).status_code == 404
    assert call(client, "GET", "/calendar-feed", sara, 200)["active"] is False
    assert call(client, "POST", "/calendar-feed/revoke", sara, 200)["active"] is False
    assert len(trail_events(app, "calendar_feed:create")) == 2
    assert [e.actor_name for e in trail_events(app, "calendar_feed:revoke")] == ["sara", "sara"]

    # Each user's own feed: pedro's says nothing of sara's; no token, no answer.
    assert call(client, "GET", "/calendar-feed", as_["pedro"], 200)["active"] is False
    assert client.get("/api/v1/calendar-feed").status_code == 401
    assert client.post("/api/v1/calendar-feed").status_code == 401
