"""Nonconformity pages: each step refused to whoever may not take it (no trail event), taken
and recorded by whoever may; a bad form changes nothing and answers 400."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from qms.capa import services, treatment
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.localtime import local_today
from qms.documents.models import Document
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import PASSWORD, csrf_token, login, trail_events

TODAY = local_today()


@pytest.fixture
def org(app) -> Org:
    return build_org(app)


def _as(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _post(client: FlaskClient, path: str, data: dict):
    token = csrf_token(client, "/nonconformities/new")
    return client.post(path, data={**data, "csrf_token": token})


def _form(org: Org, **extra) -> dict:
    return {
        "source": "pqrs",
        "process_id": org.process_id,
        "title": "Queja respondida tarde",
        "description": "La queja 2026-118 se respondió en 22 días hábiles.",
        "detected_on": TODAY.isoformat(),
        "severity": "minor",
        "iso_clause": "8.2.1",
        **extra,
    }


def _report(app, org: Org, client: FlaskClient | None = None, **extra) -> int:
    response = _post(client or _as(app, "sara"), "/nonconformities/new", _form(org, **extra))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def _nc(app, nc_id: int) -> dict:
    with app.app_context():
        nc = db.session.get(Nonconformity, nc_id)
        analysis = nc.current_analysis()
        return {
            "state": nc.state,
            "round": nc.round,
            "containment": nc.containment,
            "document_id": nc.document_id,
            "check_due_on": nc.check_due_on,
            "analyses": len(nc.analyses),
            "data": analysis.data if analysis else None,
            "checks": [(c.result, c.printed_name) for c in nc.checks],
            "actions": [(a.status, a.evidence) for a in nc.actions],
        }


WHYS = {"method": "five_whys", "data": {"whys": ["Sin vencimiento", "El tablero no alerta"]}}
ACTION = {"kind": "corrective", "description": "Alerta de vencimiento", "due_on": TODAY}
PLAN = {"check_due_on": TODAY + timedelta(days=60), "check_criterion": "Ninguna PQRS tarde"}


def _advance(app, org: Org, nc_id: int, to: str) -> None:
    """Take the nonconformity through the services up to `to` ("planned": analysed, with an
    action for sara)."""
    with app.app_context():
        s = db.session
        lead, owner, staff = (user(i) for i in (org.approver_id, org.owner_id, org.staff_id))
        steps = {
            "accepted": lambda: services.accept_nonconformity(s, lead, nc_id),
            "contained": lambda: services.contain_nonconformity(s, owner, nc_id, "Llamada."),
            "analysed": lambda: treatment.analyse_nonconformity(
                s, owner, nc_id, action_needed=True, **WHYS
            ),
            "planned": lambda: treatment.add_action(s, owner, nc_id, owner_id=staff.id, **ACTION),
            "in_progress": lambda: treatment.approve_plan(s, lead, nc_id, **PLAN),
            "awaiting_check": lambda: treatment.update_action(
                s, staff, s.get(Nonconformity, nc_id).actions[0].id, evidence="Acta", done=True
            ),
        }
        for state, run in steps.items():
            run()
            if state == to:
                break
        s.commit()


def test_staff_reports_a_nonconformity(app, org):
    staff = _as(app, "sara")
    page = staff.get("/nonconformities/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="title"' in html and "Título" in html
    assert 'value="8.2.1"' in html  # the ISO 9001 clauses are offered
    invalid = _post(staff, "/nonconformities/new", {"source": "pqrs", "title": ""})
    assert invalid.status_code == 400
    assert trail_events(app, "nonconformity:report") == []
    nc_id = _report(app, org, staff)
    [event] = trail_events(app, "nonconformity:report")
    code = f"NC-{TODAY.year}-0001"
    assert f'"code":"{code}"' in event.after and _nc(app, nc_id)["state"] == "reported"
    detail = staff.get(f"/nonconformities/{nc_id}").get_data(as_text=True)
    assert code in detail and "Queja respondida tarde" in detail
    assert f"/nonconformities/{nc_id}/accept" not in detail  # staff decides nothing
    listing = staff.get("/nonconformities/?state=reported").text
    assert code in listing and '<a href="/nonconformities/" aria-current="page">' in listing
    assert code not in staff.get("/nonconformities/?state=closed").get_data(as_text=True)
    # Someone who neither reported it nor leads its process neither lists nor opens it.
    other = _as(app, "raul")
    assert code not in other.get("/nonconformities/").get_data(as_text=True)
    assert other.get(f"/nonconformities/{nc_id}").status_code == 404


def test_similar_nonconformities_are_named_with_their_reasons(app, org):
    first = _report(app, org)
    second = _report(app, org, title="Otra queja respondida tarde")
    page = _as(app, "ana").get(f"/nonconformities/{second}")
    assert page.status_code == 200, page.text[:2000]
    similar = page.text.split('id="similar"', 1)[1].split("</section>", 1)[0]
    assert f"/nonconformities/{first}" in similar
    assert "mismo proceso, mismo numeral ISO, palabras en común" in similar


def test_report_resolves_a_document_code(app, org):
    document_id, _version = new_document(app, org)
    lead = _as(app, "ana")
    with app.app_context():
        code = db.session.get(Document, document_id).code
    unknown = _post(lead, "/nonconformities/new", _form(org, document_code="XX-ZZ-99"))
    assert unknown.status_code == 400 and 'id="document_code-error"' in unknown.text
    assert trail_events(app, "nonconformity:report") == []
    nc_id = _report(app, org, lead, document_code=code.lower())
    assert _nc(app, nc_id)["document_id"] == document_id


@pytest.mark.parametrize("username", ["sara", "raul"])
def test_accept_refused_without_the_right(app, org, username):
    nc_id = _report(app, org)
    response = _post(_as(app, username), f"/nonconformities/{nc_id}/accept", {})
    # Staff lacks the permission (403); raul may decide only for the processes he leads (404).
    assert response.status_code == (403 if username == "sara" else 404)
    assert trail_events(app, "nonconformity:accept") == []
    assert _nc(app, nc_id)["state"] == "reported"


@pytest.mark.parametrize("username", ["ana", "olga"])  # the quality lead, the process leader
def test_lead_or_process_leader_accepts(app, org, username):
    nc_id = _report(app, org)
    client = _as(app, username)
    assert f"/nonconformities/{nc_id}/accept" in client.get(f"/nonconformities/{nc_id}").text
    response = _post(client, f"/nonconformities/{nc_id}/accept", {})
    assert response.status_code == 302
    assert _nc(app, nc_id)["state"] == "accepted"
    assert len(trail_events(app, "nonconformity:accept")) == 1


def test_discard_needs_a_reason(app, org):
    nc_id = _report(app, org)
    lead = _as(app, "ana")
    assert _post(lead, f"/nonconformities/{nc_id}/discard", {"reason": " "}).status_code == 400
    assert _nc(app, nc_id)["state"] == "reported"
    response = _post(lead, f"/nonconformities/{nc_id}/discard", {"reason": "Es una mejora."})
    assert response.status_code == 302 and _nc(app, nc_id)["state"] == "discarded"
    [event] = trail_events(app, "nonconformity:discard")
    assert event.reason == "Es una mejora."


def test_containment(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "accepted")
    path = f"/nonconformities/{nc_id}/contain"
    assert _post(_as(app, "sara"), path, {"containment": "x"}).status_code == 403
    assert trail_events(app, "nonconformity:contain") == []
    leader = _as(app, "olga")
    empty = _post(leader, path, {"containment": ""})
    assert empty.status_code == 400 and 'id="containment-error"' in empty.text
    assert _nc(app, nc_id)["state"] == "accepted" and _nc(app, nc_id)["containment"] == ""
    assert trail_events(app, "nonconformity:contain") == []
    assert _post(leader, path, {"containment": "Se llamó al cliente."}).status_code == 302
    assert _nc(app, nc_id)["state"] == "contained"
    assert len(trail_events(app, "nonconformity:contain")) == 1
    assert "Se llamó al cliente." in leader.get(f"/nonconformities/{nc_id}").text


def test_five_whys_analysis_is_drawn(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "contained")
    path = f"/nonconformities/{nc_id}/analyse"
    whys = {"why_1": "No se vio el vencimiento", "why_2": "", "why_3": "El tablero no alerta"}
    data = {"action_needed": "yes", "method": "five_whys", **whys, "root_why": "1"}
    assert _post(_as(app, "sara"), path, data).status_code == 403
    leader = _as(app, "olga")
    assert 'name="why_5"' in leader.get(f"/nonconformities/{nc_id}").text
    empty = _post(leader, path, {"action_needed": "yes", "method": "five_whys"})
    assert empty.status_code == 400 and "Escriba al menos un porqué." in empty.text
    marked_blank = _post(leader, path, {**data, "root_why": "2"})  # why 2 has no answer
    assert marked_blank.status_code == 400
    assert _nc(app, nc_id)["analyses"] == 0 and trail_events(app, "nonconformity:analyse") == []
    assert _post(leader, path, {**data, "root_why": "3"}).status_code == 302
    state = _nc(app, nc_id)
    assert state["state"] == "analysed"
    # The blank why is dropped; the root cause still points at "El tablero no alerta".
    assert state["data"] == {"whys": [whys["why_1"], whys["why_3"]], "root_causes": [1]}
    assert len(trail_events(app, "nonconformity:analyse")) == 1
    detail = leader.get(f"/nonconformities/{nc_id}").text
    assert "<svg" in detail and '<g data-node="why-1" data-root="true">' in detail


def test_ishikawa_analysis_names_its_root_causes(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "contained")
    path = f"/nonconformities/{nc_id}/analyse"
    causes = {
        "cause_method": "Sin regla de alerta\n\nSin revisión diaria",
        "cause_measurement": "Sin KPI",
    }
    data = {"action_needed": "yes", "method": "ishikawa", **causes}
    leader = _as(app, "olga")
    bad = _post(leader, path, {**data, "ishikawa_roots": "method:3"})
    assert bad.status_code == 400 and 'id="ishikawa_roots-error"' in bad.text
    assert _nc(app, nc_id)["analyses"] == 0
    response = _post(leader, path, {**data, "ishikawa_roots": "method:2, measurement:1"})
    assert response.status_code == 302
    assert _nc(app, nc_id)["data"]["root_causes"] == [["measurement", 0], ["method", 1]]
    detail = leader.get(f"/nonconformities/{nc_id}").text
    assert '<g data-cause="method:1" data-selected="true">' in detail


def test_no_action_needed_requires_a_justification(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "contained")
    leader = _as(app, "olga")
    path = f"/nonconformities/{nc_id}/analyse"
    assert _post(leader, path, {"action_needed": "no"}).status_code == 400
    response = _post(leader, path, {"action_needed": "no", "justification": "Caso aislado."})
    assert response.status_code == 302 and _nc(app, nc_id)["data"] == {}


def test_actions_and_plan_approval(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "analysed")
    action = {**ACTION, "owner_id": org.staff_id, "due_on": TODAY.isoformat()}
    plan = {"check_due_on": (TODAY + timedelta(days=60)).isoformat(), "check_criterion": "0 PQRS"}
    lead, leader = _as(app, "ana"), _as(app, "olga")
    # Action is needed and none is planned: the plan is refused, nothing is kept.
    refused = _post(lead, f"/nonconformities/{nc_id}/approve-plan", plan)
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    assert _nc(app, nc_id)["check_due_on"] is None
    assert _post(_as(app, "sara"), f"/nonconformities/{nc_id}/actions", action).status_code == 403
    assert trail_events(app, "capa_action:create") == []
    assert _post(leader, f"/nonconformities/{nc_id}/actions", action).status_code == 302
    assert len(trail_events(app, "capa_action:create")) == 1
    # Only the quality lead approves the plan.
    assert _post(leader, f"/nonconformities/{nc_id}/approve-plan", plan).status_code == 403
    assert trail_events(app, "nonconformity:approve_plan") == []
    assert _post(lead, f"/nonconformities/{nc_id}/approve-plan", plan).status_code == 302
    assert _nc(app, nc_id)["state"] == "in_progress"
    assert len(trail_events(app, "nonconformity:approve_plan")) == 1
    assert "Alerta de vencimiento" in lead.get(f"/nonconformities/{nc_id}").text


def test_action_owner_completes_the_action(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "in_progress")
    with app.app_context():
        [action_id] = [a.id for a in db.session.get(Nonconformity, nc_id).actions]
    path = f"/nonconformities/{nc_id}/actions/{action_id}/update"
    # The process leader sees the nonconformity, but the action is sara's.
    assert _post(_as(app, "olga"), path, {"evidence": "x", "done": "y"}).status_code == 403
    owner = _as(app, "sara")
    assert path in owner.get(f"/nonconformities/{nc_id}").text
    no_evidence = _post(owner, path, {"done": "y"})
    assert no_evidence.status_code == 400
    assert _nc(app, nc_id)["actions"] == [("planned", "")]
    assert trail_events(app, "capa_action:complete") == []
    assert _post(owner, path, {"evidence": "Acta 12", "done": "y"}).status_code == 302
    assert _nc(app, nc_id)["actions"] == [("done", "Acta 12")]
    assert _nc(app, nc_id)["state"] == "awaiting_check"
    assert len(trail_events(app, "capa_action:complete")) == 1


def test_lead_signs_effectiveness_with_the_password(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "awaiting_check")
    path = f"/nonconformities/{nc_id}/effectiveness"
    data = {"result": "effective", "evidence": "Muestreo de 30 PQRS."}
    assert _post(_as(app, "olga"), path, {**data, "password": PASSWORD}).status_code == 403
    assert trail_events(app, "signature:refused") == []
    lead = _as(app, "ana")
    wrong = _post(lead, path, {**data, "password": "wrong-password"})
    assert wrong.status_code == 400
    assert "Contraseña incorrecta: la firma no se aplicó." in wrong.text
    [refused] = trail_events(app, "signature:refused")
    assert refused.object_type == "nonconformity" and refused.object_id == str(nc_id)
    assert _nc(app, nc_id)["checks"] == [] and trail_events(app, "effectiveness:sign") == []
    assert _post(lead, path, {**data, "password": PASSWORD}).status_code == 302
    assert _nc(app, nc_id)["checks"] == [("effective", "Ana")]
    assert len(trail_events(app, "effectiveness:sign")) == 1
    detail = lead.get(f"/nonconformities/{nc_id}").text
    assert "Líder de Calidad" in detail and "Muestreo de 30 PQRS." in detail


def test_not_effective_opens_a_new_round(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "awaiting_check")
    lead = _as(app, "ana")
    data = {"result": "not_effective", "evidence": "3 PQRS tarde.", "password": PASSWORD}
    assert _post(lead, f"/nonconformities/{nc_id}/effectiveness", data).status_code == 302
    state = _nc(app, nc_id)
    assert state["state"] == "contained" and state["round"] == 2
    detail = lead.get(f"/nonconformities/{nc_id}").text
    assert 'id="earlier-rounds"' in detail and "El tablero no alerta" in detail


def test_close_and_append_a_note(app, org):
    nc_id = _report(app, org)
    _advance(app, org, nc_id, "awaiting_check")
    lead = _as(app, "ana")
    close = f"/nonconformities/{nc_id}/close"
    assert f'{close}"' not in lead.get(f"/nonconformities/{nc_id}").text  # no check yet
    sign = {"result": "effective", "evidence": "Sin PQRS tarde.", "password": PASSWORD}
    assert _post(lead, f"/nonconformities/{nc_id}/effectiveness", sign).status_code == 302
    assert _post(_as(app, "olga"), close, {}).status_code == 403
    assert trail_events(app, "nonconformity:close") == []
    assert _post(lead, close, {}).status_code == 302
    assert _nc(app, nc_id)["state"] == "closed"
    assert len(trail_events(app, "nonconformity:close")) == 1
    notes = f"/nonconformities/{nc_id}/notes"
    assert _post(lead, notes, {"text": "Fecha corregida", "reason": ""}).status_code == 400
    assert trail_events(app, "nonconformity:note") == []
    assert _post(lead, notes, {"text": "Fecha corregida", "reason": "Error"}).status_code == 302
    assert len(trail_events(app, "nonconformity:note")) == 1
    assert "Fecha corregida" in lead.get(f"/nonconformities/{nc_id}").text
