"""PQRS through the API: register → route → extend → answer → raise a nonconformity → close,
each response matching its declared schema, refusals changing nothing."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.documents_fixtures import Org
from tests.helpers import trail_events
from tests.web.test_api_documents import as_, call, org

FIXTURES = (as_, org)


def test_the_pqrs_lifecycle_through_the_api(app, client: FlaskClient, org: Org, as_):
    body = {
        "kind": "complaint",
        "channel": "web",
        "customer_name": "Marta Ruiz",
        "text": "No me han respondido.",
        "received_on": "2026-11-03",
    }
    created = call(client, "POST", "/pqrs", as_["staff"], 200, **body)
    assert (created["code"], created["due_on"]) == ("PQRS-2026-0001", "2026-11-25")
    path = f"/pqrs/{created['id']}"
    call(client, "POST", f"{path}/route", as_["staff"], 403, process_id=org.process_id)
    assert trail_events(app, "pqrs:route") == []
    routed = call(client, "POST", f"{path}/route", as_["lead"], 200, process_id=org.process_id)
    assert routed["process"] == "AC" and routed["state"] == "routed"
    late = {"notified_on": "2026-11-26", "extra_days": 5, "reason": "Falta información"}
    refused = call(client, "POST", f"{path}/extend", as_["lead"], 400, **late)
    assert refused["error"]["field"] == "notified_on"
    extended = call(
        client, "POST", f"{path}/extend", as_["lead"], 200, **(late | {"notified_on": "2026-11-20"})
    )
    assert extended["term_due_on"] == "2026-12-02"
    answered = call(
        client,
        "POST",
        f"{path}/answer",
        as_["owner"],
        200,
        answer="Se respondió.",
        answered_on="2026-11-20",
    )
    assert answered["on_time"] is True
    nc = call(client, "POST", f"{path}/nonconformity", as_["lead"], 200)
    assert nc["source"] == "pqrs" and nc["state"] == "reported"
    closed = call(client, "POST", f"{path}/close", as_["lead"], 200, satisfaction="satisfied")
    assert (closed["state"], closed["nonconformity"]) == ("closed", nc["code"])
    listed = call(client, "GET", "/pqrs", as_["lead"], 200)
    assert [r["code"] for r in listed["items"]] == ["PQRS-2026-0001"]
    assert call(client, "GET", "/pqrs", as_["reviewer"], 200)["items"] == []


def test_a_bad_body_names_its_field(client: FlaskClient, org: Org, as_):
    body = {
        "kind": "rumour",
        "channel": "web",
        "customer_name": "X",
        "text": "t",
        "received_on": "2026-11-03",
    }
    error = call(client, "POST", "/pqrs", as_["staff"], 400, **body)
    assert error["error"]["field"] in ("kind", "body")
