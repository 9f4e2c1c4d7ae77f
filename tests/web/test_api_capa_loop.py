"""Done when: the whole loop through the API — complaint → nonconformity → containment →
analysis → action → new document version in force → effectiveness signed → closed."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from qms.core.db import db
from qms.core.localtime import local_today
from qms.documents import approval
from tests.documents_fixtures import Org, new_document, user
from tests.helpers import PASSWORD, trail_events
from tests.web.test_api_documents import as_, call, org

FIXTURES = (as_, org)
TODAY = local_today()


def test_complaint_to_closed_nonconformity_through_the_api(app, client: FlaskClient, org: Org, as_):
    document_id, version_id = new_document(app, org, title="Atención de PQRS")
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    staff, lead, owner, reviewer = as_["staff"], as_["lead"], as_["owner"], as_["reviewer"]

    complaint = call(
        client,
        "POST",
        "/pqrs",
        staff,
        200,
        kind="complaint",
        channel="email",
        customer_name="Marta Ruiz",
        text="Respuesta tardía.",
        received_on=TODAY.isoformat(),
    )
    pqrs_path = f"/pqrs/{complaint['id']}"
    call(client, "POST", f"{pqrs_path}/route", lead, 200, process_id=org.process_id)
    nc = call(client, "POST", f"{pqrs_path}/nonconformity", lead, 200)
    path = f"/nonconformities/{nc['id']}"
    call(client, "POST", f"{path}/accept", lead, 200)
    call(client, "POST", f"{path}/contain", owner, 200, containment="Se respondió hoy.")
    analysed = client.post(
        f"/api/v1{path}/analysis",
        headers=owner,
        json={
            "action_needed": True,
            "method": "five_whys",
            "data": {"whys": ["Nadie vio el vencimiento", "No hay alerta"]},
        },
    )
    assert analysed.status_code == 200, analysed.get_data(as_text=True)
    request = call(
        client,
        "POST",
        "/change-requests",
        owner,
        200,
        kind="modify",
        reason="Agregar la alerta de vencimiento",
        document_id=document_id,
    )
    planned = call(
        client,
        "POST",
        f"{path}/actions",
        owner,
        200,
        kind="corrective",
        description="Alerta de vencimiento en el procedimiento",
        owner_id=org.owner_id,
        due_on=(TODAY + timedelta(days=10)).isoformat(),
        change_request_id=request["id"],
    )
    action_id = planned["action"]["id"]
    call(
        client,
        "POST",
        f"{path}/plan",
        lead,
        200,
        check_due_on=(TODAY + timedelta(days=60)).isoformat(),
        check_criterion="Cero tardías",
    )
    early = call(client, "POST", f"{path}/close", lead, 409)
    assert early["error"]["code"] == "conflict"
    not_yet = call(
        client, "PATCH", f"/capa-actions/{action_id}", owner, 409, evidence="v2", done=True
    )
    assert "vigente" in not_yet["error"]["message"]

    accepted = call(
        client, "POST", f"/change-requests/{request['id']}/accept", lead, 200, reason="Procede"
    )
    [draft_id] = accepted["version_ids"]
    call(
        client,
        "PATCH",
        f"/versions/{draft_id}",
        owner,
        200,
        content=[{"kind": "text", "text": "Alerta dos días antes del vencimiento."}],
        change_summary="Alerta de vencimiento (NC).",
    )
    call(client, "POST", f"/versions/{draft_id}/submit", owner, 200, password=PASSWORD)
    call(client, "POST", f"/versions/{draft_id}/review", reviewer, 200, password=PASSWORD)
    approved = call(client, "POST", f"/versions/{draft_id}/approve", lead, 200, password=PASSWORD)
    assert approved["version"]["state"] == "effective"

    done = call(client, "PATCH", f"/capa-actions/{action_id}", owner, 200, evidence="v2", done=True)
    assert done["nonconformity"]["state"] == "awaiting_check"
    signed = call(
        client,
        "POST",
        f"{path}/effectiveness",
        lead,
        200,
        result="effective",
        evidence="Sin PQRS tardías en la muestra.",
        password=PASSWORD,
    )
    assert signed["check"]["result"] == "effective"
    closed = call(client, "POST", f"{path}/close", lead, 200)
    assert closed["state"] == "closed"
    for action in ("pqrs:raise_nonconformity", "capa_action:complete", "nonconformity:close"):
        assert len(trail_events(app, action)) == 1, action
