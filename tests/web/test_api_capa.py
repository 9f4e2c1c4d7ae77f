"""Nonconformities through the API: the whole loop from report to a signed, closed record, the
gates that refuse an early close or a wrong password, who may do what, hidden → 404, bad
bodies → 400 naming the field, and the OpenAPI document.
Tests marked `sql` (visibility, races, constraints) also run on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.api.models import capa as capa_models
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.localtime import local_today
from tests.documents_fixtures import Org
from tests.helpers import PASSWORD, trail_events
from tests.web.test_api_documents import as_, call, org
from tests.web.test_api_shapes import assert_matches

# The fixtures of the lifecycle tests (the organisation, tokens by role).
FIXTURES = (as_, org)
TODAY = local_today()
WHYS = ["No se vio el vencimiento", "El tablero no alerta", "Nadie definió la alerta"]


def _report(client: FlaskClient, org: Org, who: dict[str, str], **extra: Any) -> dict[str, Any]:
    body = {
        "source": "pqrs",
        "process_id": org.process_id,
        "title": "Queja respondida tarde",
        "description": "La queja 2026-118 se respondió en 22 días hábiles.",
        "detected_on": TODAY.isoformat(),
        "iso_clause": "8.2.1",
    }
    return call(client, "POST", "/nonconformities", who, 200, **(body | extra))


def _contained(client: FlaskClient, org: Org, as_: dict) -> str:
    nc = _report(client, org, as_["staff"])
    path = f"/nonconformities/{nc['id']}"
    call(client, "POST", f"{path}/accept", as_["lead"], 200)
    call(client, "POST", f"{path}/contain", as_["lead"], 200, containment="Se respondió.")
    return path


def _analyse(client: FlaskClient, path: str, who: dict, status: int, body: dict) -> Any:
    """Like `call`, whose `method` (the HTTP verb) would clash with the body's `method`."""
    response = client.post(f"/api/v1{path}/analysis", headers=who, json=body)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert_matches(response.json, "Nonconformity" if status == 200 else "Error")
    return response.json


def _capa_actions(app: Flask) -> list[str]:
    kinds = ("nonconformity", "capa_action")
    return [e.action for e in trail_events(app) if e.object_type in kinds]


def test_the_loop_from_report_to_closed_through_the_api(app, client, org, as_):
    staff, lead, owner = as_["staff"], as_["lead"], as_["owner"]
    nc = _report(client, org, staff)
    assert nc["code"] == f"NC-{TODAY.year}-0001" and nc["state"] == "reported"
    assert nc["reported_by_id"] == org.staff_id and nc["process"] == "AC"
    assert nc["analysis"] is None and nc["actions"] == [] and nc["round"] == 1
    path = f"/nonconformities/{nc['id']}"
    assert call(client, "POST", f"{path}/accept", lead, 200)["state"] == "accepted"
    contained = call(client, "POST", f"{path}/contain", lead, 200, containment="Se respondió.")
    assert contained["state"] == "contained" and contained["contained_by_id"] == org.approver_id
    five_whys = {"whys": WHYS, "root_causes": [1, 2]}
    body = {"action_needed": True, "method": "five_whys", "data": five_whys}
    analysed = _analyse(client, path, owner, 200, body)
    assert analysed["state"] == "analysed"
    assert analysed["analysis"]["root_cause"] == f"{WHYS[1]}\n{WHYS[2]}"
    assert analysed["analysis"]["analysed_by_id"] == org.owner_id
    added = call(
        client, "POST", f"{path}/actions", owner, 200,
        kind="corrective", description="Alerta de vencimiento en el tablero",
        owner_id=org.owner_id, due_on=(TODAY + timedelta(days=20)).isoformat(),
    )  # fmt: skip
    action = added["action"]
    assert action["status"] == "planned" and action["owner_id"] == org.owner_id
    assert added["nonconformity"]["actions"] == [action]
    due = (TODAY + timedelta(days=60)).isoformat()
    planned = call(
        client, "POST", f"{path}/plan", lead, 200,
        check_due_on=due, check_criterion="Ninguna PQRS fuera de término en 2 meses",
    )  # fmt: skip
    assert planned["state"] == "in_progress" and planned["check_due_on"] == due

    early = call(client, "POST", f"{path}/close", lead, 409)
    assert early["error"]["code"] == "conflict"
    assert not trail_events(app, "nonconformity:close")
    action_path = f"/capa-actions/{action['id']}"
    call(client, "PATCH", action_path, staff, 403, progress=50)  # not hers
    half = call(client, "PATCH", action_path, owner, 200, progress=50, evidence="Borrador")
    assert half["action"]["status"] == "in_progress" and half["action"]["progress"] == 50
    done = call(client, "PATCH", action_path, owner, 200, done=True, evidence="Tablero con alerta")
    assert done["action"]["status"] == "done" and done["action"]["progress"] == 100
    assert done["nonconformity"]["state"] == "awaiting_check"

    signing = f"{path}/effectiveness"
    evidence = "Muestreo de 30 PQRS de diciembre."
    bad = call(client, "POST", signing, lead, 400, result="maybe", evidence=evidence, password="x")
    assert bad["error"]["field"] == "result"
    refused = call(
        client, "POST", signing, lead, 403, result="effective", evidence=evidence, password="no"
    )
    assert refused["error"]["code"] == "signature_refused"
    assert refused["error"]["field"] == "password"
    [attempt] = trail_events(app, "signature:refused")  # kept although the answer is an error
    assert attempt.actor_name == "ana" and attempt.object_id == str(nc["id"])
    assert not trail_events(app, "effectiveness:sign")
    assert call(client, "GET", path, lead, 200)["checks"] == []
    signed = call(
        client, "POST", signing, lead, 200, result="effective", evidence=evidence, password=PASSWORD
    )
    assert signed["check"]["printed_name"] == "Ana" and signed["check"]["result"] == "effective"
    assert signed["check"]["job_title"] == "Líder de Calidad"
    assert signed["nonconformity"]["checks"] == [signed["check"]]

    closed = call(client, "POST", f"{path}/close", lead, 200)
    assert closed["state"] == "closed" and closed["closed_at"]
    noted = call(
        client, "POST", f"{path}/notes", lead, 200, text="La queja era la 2026-119.", reason="Typo"
    )
    assert [n["reason"] for n in noted["notes"]] == ["Typo"]
    assert call(client, "GET", path, staff, 200)["state"] == "closed"  # the reporter sees it
    assert _capa_actions(app) == [
        "nonconformity:report",
        "nonconformity:accept",
        "nonconformity:contain",
        "nonconformity:analyse",
        "capa_action:create",
        "nonconformity:approve_plan",
        "capa_action:update",
        "capa_action:complete",
        "nonconformity:actions_done",
        "signature:refused",
        "effectiveness:sign",
        "nonconformity:close",
        "nonconformity:note",
    ]
    assert trail_events(app, "nonconformity:note")[0].reason == "Typo"


@pytest.mark.sql
def test_who_may_decide_and_who_sees_what(app, client, org, as_):
    staff, lead, owner, raul = as_["staff"], as_["lead"], as_["owner"], as_["reviewer"]
    nc = _report(client, org, staff)
    path = f"/nonconformities/{nc['id']}"
    assert call(client, "POST", f"{path}/accept", staff, 403)["error"]["code"] == "forbidden"
    assert call(client, "POST", f"{path}/accept", raul, 404)["error"]["code"] == "not_found"
    assert call(client, "GET", path, raul, 404)["error"]["code"] == "not_found"
    assert call(client, "GET", "/nonconformities", raul, 200)["items"] == []
    assert [n["id"] for n in call(client, "GET", "/nonconformities", staff, 200)["items"]] == [
        nc["id"]
    ]
    assert not trail_events(app, "nonconformity:accept")
    # Olga leads AC: the own-objects variant lets her accept it.
    assert call(client, "POST", f"{path}/accept", owner, 200)["decided_by_id"] == org.owner_id
    call(client, "POST", f"{path}/contain", staff, 403, containment="Nada.")
    assert call(client, "GET", "/nonconformities?state=accepted", lead, 200)["items"]
    assert call(client, "GET", "/nonconformities?state=closed", lead, 200)["items"] == []
    assert call(client, "GET", "/nonconformities?state=open", lead, 400)["error"]["field"] == (
        "state"
    )
    for method, unknown in [
        ("GET", "/nonconformities/9999"),
        ("POST", "/nonconformities/9999/accept"),
        ("POST", "/nonconformities/9999/close"),
    ]:
        assert call(client, method, unknown, lead, 404)["error"]["code"] == "not_found"
    missing = call(client, "PATCH", "/capa-actions/9999", owner, 404, progress=10)
    assert missing["error"]["code"] == "not_found"
    assert [e.actor_name for e in trail_events(app, "nonconformity:accept")] == ["olga"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "rumour"}, "source"),
        ({"detected_on": "ayer"}, "detected_on"),
        ({"detected_on": (TODAY + timedelta(days=1)).isoformat()}, "detected_on"),
        ({"detected_on": None}, "detected_on"),
        ({"process_id": "AC"}, "process_id"),
        ({"proces": 1}, "proces"),
        ({"iso_clause": "99.9"}, "iso_clause"),
        ({"title": "  "}, "title"),
    ],
)
def test_bad_reports_are_400_and_store_nothing(app, client, org, as_, body, field):
    base = {
        "source": "pqrs",
        "process_id": org.process_id,
        "title": "Queja",
        "description": "Tarde.",
        "detected_on": TODAY.isoformat(),
    }
    refused = call(client, "POST", "/nonconformities", as_["staff"], 400, **(base | body))
    assert refused["error"]["field"] == field
    assert not trail_events(app, "nonconformity:report")
    with app.app_context():
        assert db.session.query(Nonconformity).count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action_needed": True, "method": "five_whys", "data": {"whys": "abc"}}, "data"),
        (
            {
                "action_needed": True,
                "method": "five_whys",
                "data": {"whys": ["a"], "root_causes": ["x"]},
            },
            "data",
        ),
        (
            {"action_needed": True, "method": "ishikawa", "data": {"causes": {"luck": ["a"]}}},
            "data",
        ),
        (
            {"action_needed": True, "method": "ishikawa", "data": {"causes": {"method": ["a"]}}},
            "analysis",
        ),
        ({"action_needed": True, "data": {"whys": ["a"]}}, "method"),
        ({"action_needed": False}, "justification"),
        ({"action_needed": "yes"}, "action_needed"),
        ({"method": "five_whys"}, "action_needed"),
    ],
)
def test_bad_analyses_are_400_and_change_nothing(app, client, org, as_, body, field):
    path = _contained(client, org, as_)
    refused = _analyse(client, path, as_["owner"], 400, body)
    assert refused["error"]["field"] == field
    assert call(client, "GET", path, as_["owner"], 200)["state"] == "contained"
    assert not trail_events(app, "nonconformity:analyse")


def test_discard_no_action_needed_and_a_check_that_reopens(app, client, org, as_):
    lead = as_["lead"]
    other = _report(client, org, as_["staff"], title="Duplicada")
    discarding = f"/nonconformities/{other['id']}/discard"
    assert call(client, "POST", discarding, lead, 400, reason=" ")["error"]["field"] == "reason"
    discarded = call(client, "POST", discarding, lead, 200, reason="Es la NC-0001 repetida.")
    assert discarded["state"] == "discarded"
    assert discarded["decision_reason"] == "Es la NC-0001 repetida."
    assert trail_events(app, "nonconformity:discard")[0].reason == "Es la NC-0001 repetida."
    path = _contained(client, org, as_)
    adding = {"kind": "corrective", "description": "x", "owner_id": org.owner_id}
    early = call(
        client, "POST", f"{path}/actions", as_["owner"], 409, **adding, due_on="2030-01-01"
    )
    assert early["error"]["code"] == "conflict"
    call(client, "POST", f"{path}/analysis", as_["owner"], 200, action_needed=False,
         justification="Caso aislado.")  # fmt: skip
    for body, field in [
        ({"due_on": "pronto"}, "due_on"),
        ({"owner_id": 9999, "due_on": "2030-01-01"}, "owner_id"),
        ({"kind": "magic", "due_on": "2030-01-01"}, "kind"),
    ]:
        bad = call(client, "POST", f"{path}/actions", as_["owner"], 400, **(adding | body))
        assert bad["error"]["field"] == field
    bad = call(client, "POST", f"{path}/plan", lead, 400, check_due_on="2030-01-01",
               check_criterion="")  # fmt: skip
    assert bad["error"]["field"] == "check_criterion"
    planned = call(client, "POST", f"{path}/plan", lead, 200, check_due_on="2030-01-01",
                   check_criterion="Sin repetición")  # fmt: skip
    assert planned["state"] == "awaiting_check"  # no action to wait for
    reopened = call(
        client, "POST", f"{path}/effectiveness", lead, 200,
        result="not_effective", evidence="Se repitió en enero.", password=PASSWORD,
    )["nonconformity"]  # fmt: skip
    assert reopened["state"] == "contained" and reopened["round"] == 2
    assert reopened["analysis"] is None and [a["round"] for a in reopened["analyses"]] == [1]
    assert trail_events(app, "nonconformity:reopen")[0].reason == "Se repitió en enero."
    assert call(client, "POST", f"{path}/close", lead, 409)["error"]["code"] == "conflict"


_DECLARED = {
    ("/nonconformities", "get"): ("nonconformity:report", False),
    ("/nonconformities", "post"): ("nonconformity:report", False),
    ("/nonconformities/{nc_id}", "get"): ("nonconformity:report", False),
    ("/nonconformities/{nc_id}/accept", "post"): ("nonconformity:decide", True),
    ("/nonconformities/{nc_id}/discard", "post"): ("nonconformity:decide", True),
    ("/nonconformities/{nc_id}/contain", "post"): ("nonconformity:treat", True),
    ("/nonconformities/{nc_id}/analysis", "post"): ("nonconformity:treat", True),
    ("/nonconformities/{nc_id}/actions", "post"): ("nonconformity:treat", True),
    ("/nonconformities/{nc_id}/plan", "post"): ("nonconformity:approve_plan", False),
    ("/capa-actions/{action_id}", "patch"): ("capa_action:update", True),
    ("/nonconformities/{nc_id}/effectiveness", "post"): ("effectiveness:sign", False),
    ("/nonconformities/{nc_id}/close", "post"): ("nonconformity:close", False),
    ("/nonconformities/{nc_id}/notes", "post"): ("nonconformity:close", False),
}


def test_the_openapi_document_lists_the_nonconformity_operations(client):
    document = client.get("/api/v1/openapi.json").json
    for (path, method), (permission, own) in _DECLARED.items():
        op = document["paths"][path][method]
        assert op["x-permission"] == permission, (path, method)
        assert op.get("x-permission-own-objects", False) is own, (path, method)
        assert op["tags"] == ["nonconformities"]
    signing = document["paths"]["/nonconformities/{nc_id}/effectiveness"]["post"]
    body = signing["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/EffectivenessSign"
    assert document["components"]["schemas"]["EffectivenessSign"]["required"] == [
        "result",
        "evidence",
        "password",
    ]
    # The answers' schemas are the models' own.
    schemas = document["components"]["schemas"]
    nc = capa_models.Nonconformity
    assert schemas["Nonconformity"]["required"] == list(nc.model_fields)
