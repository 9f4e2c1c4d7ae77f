"""The trail viewer and CSV export: who may, what the filters do, what the CSV holds."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask_babel import gettext

from qms.core.db import db
from qms.core.spreadsheets import BOM
from qms.trail import services as trail
from tests.helpers import PASSWORD, login, make_user, trail_events

ROW_RE = re.compile(r"<tr>\s*<td>(\d+)</td>")


def _seqs(html: str) -> list[int]:
    """The seq numbers of the event rows shown, in page order."""
    return [int(n) for n in ROW_RE.findall(html)]


def _record(app: Flask, count: int, **fields: str) -> None:
    with app.app_context():
        for n in range(count):
            trail.record(
                db.session,
                fields.get("action", "thing:update"),
                fields.get("object_type", "thing"),
                fields.get("object_id", str(n)),
                reason=fields.get("reason", ""),
                client_address="192.0.2.7",
            )
        db.session.commit()


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))


@pytest.mark.parametrize("role", ["staff", "process_owner"])
def test_refused_without_trail_permission(client_as, role: str) -> None:
    client = client_as(role)
    assert client.get("/trail/").status_code == 403
    assert client.get("/trail/export.csv").status_code == 403


def test_anonymous_is_sent_to_login(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/trail/", "/trail/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["auditor", "quality_lead"])
def test_reader_sees_events_and_may_export(app: Flask, client_as, role: str) -> None:
    client = client_as(role)
    page = client.get("/trail/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.test_request_context():
        signed_in = gettext("signed in")
    assert signed_in in html and 'title="session:login"' in html  # in words, the key on hover
    assert "/trail/export.csv" in html
    export = client.get("/trail/export.csv")
    assert export.status_code == 200
    assert [r["action"] for r in _csv(export)][:2] == ["user:create", "session:login"]


def test_admin_reads_but_does_not_export(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("admin")
    page = client.get("/trail/")
    assert page.status_code == 200
    assert "/trail/export.csv" not in page.get_data(as_text=True)
    assert client.get("/trail/export.csv").status_code == 403


def test_no_route_changes_events(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("trail."):
            assert rule.methods is not None and rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_newest_first_and_paged(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("auditor")
    _record(app, 60)
    total = len(trail_events(app))
    first = _seqs(client.get("/trail/").get_data(as_text=True))
    assert first == list(range(total, total - 50, -1))
    second_html = client.get("/trail/?page=2&action=thing:update").get_data(as_text=True)
    assert _seqs(second_html) == list(range(total - 50, total - 60, -1))
    assert "page=1" in second_html and "action=thing" in second_html  # filters kept


def test_filters_narrow_the_results(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("auditor", username="rita")
    _record(app, 3, action="thing:update", object_type="thing")
    _record(app, 2, action="widget:create", object_type="widget", object_id="7")
    events = trail_events(app)

    def shown(query: str) -> set[int]:
        response = client.get(f"/trail/?{query}")
        assert response.status_code == 200, query
        return set(_seqs(response.get_data(as_text=True)))

    by_action = {e.seq for e in events if e.action == "widget:create"}
    assert shown("action=widget:create") == by_action
    assert shown("object_type=widget&object_id=7") == by_action
    assert shown("object_type=thing&object_id=1") == {
        e.seq for e in events if (e.object_type, e.object_id) == ("thing", "1")
    }
    assert shown("actor=rita") == {e.seq for e in events if e.actor_name == "rita"} != set()
    assert shown("actor=nobody") == set()


def test_date_range_uses_the_app_timezone(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("auditor")
    zone = ZoneInfo(app.extensions["qms_settings"].timezone)
    today = datetime.now(zone).date()
    all_seqs = {e.seq for e in trail_events(app)}

    def shown(query: str) -> set[int]:
        return set(_seqs(client.get(f"/trail/?{query}").get_data(as_text=True)))

    day = timedelta(days=1)
    assert shown(f"date_from={today}&date_to={today}") >= all_seqs
    assert shown(f"date_from={today + day}") == set()
    assert shown(f"date_to={today - day}") == set()
    bad = client.get(f"/trail/?date_from={today}&date_to={today - day}")
    assert bad.status_code == 400


def test_unknown_action_is_refused(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("auditor")
    assert client.get("/trail/?action=no:such").status_code == 400
    assert client.get("/trail/export.csv?action=no:such").status_code == 400


def test_csv_escapes_formula_cells(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    formula = '=HYPERLINK("http://evil.example","click")'
    make_user(app, "mallory", ["staff"], full_name=formula)
    assert login(app.test_client(), "mallory", PASSWORD).status_code == 302
    _record(app, 1, reason="+1+cmd|' /C calc'!A0")
    client = client_as("quality_lead")
    response = client.get("/trail/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = _csv(response)
    mallory = [r for r in rows if r["actor"] == "mallory"]
    assert mallory and all(r["actor_full_name"] == "'" + formula for r in mallory)
    assert [r["reason"] for r in rows if r["reason"]] == ["'+1+cmd|' /C calc'!A0"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert [int(r["seq"]) for r in rows] == sorted(int(r["seq"]) for r in rows)  # oldest first


def test_csv_has_a_sensible_filename_and_follows_filters(app: Flask, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("auditor")
    _record(app, 2, action="widget:create", object_type="widget")
    response = client.get("/trail/export.csv?action=widget:create")
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="trail-\d{8}-\d{6}Z\.csv"', disposition)
    assert response.headers["Cache-Control"] == "no-store"
    assert [r["action"] for r in _csv(response)] == ["widget:create", "widget:create"]
    exports = trail_events(app, "trail:export")
    assert len(exports) == 1 and exports[0].actor_name == client.username
    assert '"action":"widget:create"' in exports[0].after
