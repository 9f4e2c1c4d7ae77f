"""PQRS pages: staff register, the quality lead routes and closes, the process leader answers,
a complaint raises a nonconformity; every step on record, every refusal changes nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from qms.capa.pqrs_models import PqrsRequest
from qms.core.db import db
from tests.documents_fixtures import build_org
from tests.helpers import csrf_token, login, trail_events


def _register(client) -> int:
    token = csrf_token(client, "/pqrs/new")
    response = client.post(
        "/pqrs/new",
        data={
            "csrf_token": token,
            "kind": "complaint",
            "channel": "in_person",
            "customer_name": "Pedro <b>Gómez</b>",
            "customer_contact": "3001234567",
            "text": "No me han devuelto el aporte.",
            "received_on": "2026-11-03",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_the_request_goes_from_register_to_close(app):
    org = build_org(app)
    staff, lead, leader = app.test_client(), app.test_client(), app.test_client()
    login(staff, "sara")
    login(lead, "ana")
    login(leader, "olga")
    request_id = _register(staff)
    html = staff.get(f"/pqrs/{request_id}").get_data(as_text=True)
    assert "Pedro &lt;b&gt;Gómez&lt;/b&gt;" in html and "25/11/2026" in html
    # Staff may not route it: 403 and nothing on record.
    token = csrf_token(staff, f"/pqrs/{request_id}")
    refused = staff.post(
        f"/pqrs/{request_id}/route",
        data={"csrf_token": token, "route-kind": "complaint", "route-process_id": org.process_id},
    )
    assert refused.status_code == 403 and trail_events(app, "pqrs:route") == []
    token = csrf_token(lead, f"/pqrs/{request_id}")
    routed = lead.post(
        f"/pqrs/{request_id}/route",
        data={"csrf_token": token, "route-kind": "complaint", "route-process_id": org.process_id},
    )
    assert routed.status_code == 302 and len(trail_events(app, "pqrs:route")) == 1
    token = csrf_token(leader, f"/pqrs/{request_id}")
    answered = leader.post(
        f"/pqrs/{request_id}/answer",
        data={"csrf_token": token, "answer-answer": "", "answer-answered_on": "2026-11-20"},
    )
    assert answered.status_code == 400  # an empty answer is refused, nothing stored
    answered = leader.post(
        f"/pqrs/{request_id}/answer",
        data={
            "csrf_token": token,
            "answer-answer": "Se devolvió el aporte.",
            "answer-answered_on": "2026-11-20",
        },
    )
    assert answered.status_code == 302
    token = csrf_token(lead, f"/pqrs/{request_id}")
    nc = lead.post(f"/pqrs/{request_id}/nonconformity", data={"csrf_token": token})
    assert nc.status_code == 302 and len(trail_events(app, "nonconformity:report")) == 1
    closed = lead.post(
        f"/pqrs/{request_id}/close",
        data={"csrf_token": token, "close-satisfaction": "satisfied"},
    )
    assert closed.status_code == 302
    with app.app_context():
        found = db.session.scalar(sa.select(PqrsRequest))
        assert (found.state, found.answered_on, found.nonconformity_id is not None) == (
            "closed",
            date(2026, 11, 20),
            True,
        )
    assert "PQRS-2026-0001" in lead.get("/pqrs").get_data(as_text=True)


def test_anonymous_visitors_go_to_sign_in(client):
    response = client.get("/pqrs")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
