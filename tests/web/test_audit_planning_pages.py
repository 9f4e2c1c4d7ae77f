"""Audit planning pages: each refused to whoever may not use it (403, no trail event), done and
recorded for whoever may; a plan the service refuses answers 400 and stores nothing."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from markupsafe import escape

from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit, AuditorProfile, AuditProgramme
from qms.core.db import db
from qms.documents import approval
from tests.audits_fixtures import AuditOrg, build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import csrf_token, login, trail_events


@pytest.fixture
def world(app) -> tuple[AuditOrg, int]:
    org = build_audit_org(app)
    return org, programme_for(app, org)


def _as(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _post(client: FlaskClient, path: str, data: dict):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/dashboard")})


def _says(app, html: str, msgid: str, **values) -> bool:
    """The page shows this message as the (Spanish-first) user reads it."""
    with app.test_request_context(), force_locale("es"):
        return str(escape(gettext(msgid, **values))) in html


def _plan_form(org: AuditOrg, **changes) -> dict:
    today = approval.today()
    return {
        "title": "Auditoría a Atención al Cliente",
        "objectives": "Verificar la atención de PQRS.",
        "scope": "Atención de PQRS, canales presencial y telefónico.",
        "criteria": "ISO 9001:2015 8.2 y 9.1.2; AC-PR-01.",
        "clauses": "8.2.1, 9.1.2",
        "process_ids": [org.ac_id],
        "start_on": today.isoformat(),
        "end_on": today.isoformat(),
        "place": "Sede principal",
        "lead_auditor_id": org.auditor_id,
        "auditor_ids": [org.second_auditor_id],
        "auditee_ids": [org.leader_id, org.staff_id],
        **changes,
    }


def _audits(app) -> list[Audit]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Audit)))


def _audit(app, audit_id: int) -> dict:
    with app.app_context():
        audit = db.session.get(Audit, audit_id)
        return {
            "state": audit.state,
            "title": audit.title,
            "start_on": audit.start_on,
            "moves": len(audit.reschedules),
        }


def _other_day(year: int) -> date:
    day = date(year, 6, 15)
    return day if day != approval.today() else date(year, 6, 16)


@pytest.mark.parametrize("username", ["sara", "jorge", "olga"])
def test_planning_refused_without_the_programme_permission(app, world, username):
    org, _programme_id = world
    client = _as(app, username)
    assert client.get("/audits/new").status_code == 403
    response = _post(client, f"/audits/new?year={org.year}", _plan_form(org))
    assert response.status_code == 403
    assert trail_events(app, "audit:plan") == [] and _audits(app) == []


def test_quality_lead_plans_an_audit(app, world):
    org, _programme_id = world
    lead = _as(app, "ana")
    page = lead.get(f"/audits/new?year={org.year}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="criteria"' in html and 'name="process_ids"' in html
    assert f"justify_{org.member_id}" in html  # raul belongs to AC: his waiver field is offered
    response = _post(lead, f"/audits/new?year={org.year}", _plan_form(org))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    [audit] = _audits(app)
    assert response.headers["Location"].endswith(f"/audits/{audit.id}")  # the audit's page
    assert audit.code == f"AUD-{org.year}-01" and audit.clauses == ["8.2.1", "9.1.2"]
    [event] = trail_events(app, "audit:plan")
    assert json.loads(event.after)["team"] == ["jorge", "lucia"]
    assert trail_events(app, "audit:independence_waive") == []


def test_planning_without_criteria_is_refused_with_a_clear_error(app, world):
    org, _programme_id = world
    response = _post(_as(app, "ana"), f"/audits/new?year={org.year}", _plan_form(org, criteria=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _says(app, html, "An audit cannot be planned without its criteria.")
    assert 'id="criteria-error"' in html
    assert _audits(app) == [] and trail_events(app, "audit:plan") == []


def test_a_bad_clause_is_refused(app, world):
    org, _programme_id = world
    response = _post(
        _as(app, "ana"), f"/audits/new?year={org.year}", _plan_form(org, clauses="11.9")
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert _says(app, html, "%(number)s is not a clause of ISO 9001:2015.", number="11.9")
    assert _audits(app) == []


def test_independence_is_refused_then_waived_with_a_justification(app, world):
    org, _programme_id = world
    lead = _as(app, "ana")
    form = _plan_form(org, auditor_ids=[org.member_id])
    refused = _post(lead, f"/audits/new?year={org.year}", form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert _says(
        app,
        html,
        "%(name)s leads or belongs to %(processes)s: an auditor must be independent of what "
        "they audit. A quality lead may allow it with a written justification.",
        name="Raul",
        processes="AC",
    )
    assert 'id="auditor_ids-error"' in html and '<details class="waivers" open>' in html
    assert _audits(app) == [] and trail_events(app, "audit:independence_waive") == []
    why = "Único auditor formado en PQRS; acompañado por auditora externa."
    accepted = _post(
        lead, f"/audits/new?year={org.year}", {**form, f"justify_{org.member_id}": why}
    )
    assert accepted.status_code == 302, accepted.get_data(as_text=True)[:3000]
    [waiver] = trail_events(app, "audit:independence_waive")
    assert waiver.reason == why and json.loads(waiver.after)["auditor"] == "raul"
    assert len(trail_events(app, "audit:plan")) == 1


def test_planning_waits_for_the_programme(app, world):
    org, _programme_id = world
    response = _as(app, "ana").get(f"/audits/new?year={org.year + 1}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/audits/programme/{org.year + 1}")


def test_the_list_shows_what_each_may_see_and_the_adherence(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    code = f"AUD-{org.year}-01"
    with app.app_context():
        jorge = user(org.auditor_id)
        WORKFLOW.apply(db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, jorge)
        audits.start_audit(db.session, jorge, audit_id)
        db.session.commit()
    html = _as(app, "ana").get(f"/audits?year={org.year}").get_data(as_text=True)
    assert code in html and "Jorge" in html and 'id="adherence"' in html
    assert "<strong>100%</strong>" in html
    staff = _as(app, "sara").get("/audits").get_data(as_text=True)  # sara is an auditee
    assert code in staff and 'id="adherence"' not in staff
    assert '<a href="/audits" aria-current="page">' in staff
    outsider = _as(app, "pedro").get(f"/audits?year={org.year}")
    assert outsider.status_code == 200 and code not in outsider.get_data(as_text=True)
    filtered = _as(app, "ana").get(f"/audits?year={org.year}&state=cancelled")
    assert code not in filtered.get_data(as_text=True)
    assert _as(app, "ana").get("/audits?year=abc&state=nope").status_code == 200


def test_the_calendar_shows_an_audit_in_its_month(app, world):
    org, programme_id = world
    day = _other_day(org.year)
    planned_audit(app, org, programme_id, start_on=day, end_on=day)
    code = f"AUD-{org.year}-01"
    lead = _as(app, "ana")
    html = lead.get(f"/audits/calendar?year={org.year}&month=6").get_data(as_text=True)
    assert code in html and f'datetime="{day.isoformat()}"' in html
    assert f"/audits/calendar?year={org.year}&amp;month=5" in html
    assert f"/audits/calendar?year={org.year}&amp;month=7" in html
    assert f"/audits?year={org.year}" in html
    other = lead.get(f"/audits/calendar?year={org.year}&month=8").get_data(as_text=True)
    assert code not in other
    assert _as(app, "pedro").get(f"/audits/calendar?year={org.year}&month=6").status_code == 200
    assert lead.get("/audits/calendar?year=x&month=13").status_code == 200


def test_coverage_flags_an_unaudited_process(app, world):
    org, programme_id = world
    planned_audit(app, org, programme_id)
    assert _as(app, "sara").get(f"/audits/programme/{org.year}/coverage").status_code == 403
    response = _as(app, "jorge").get(f"/audits/programme/{org.year}/coverage")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    unaudited = html.split('id="unaudited-processes"', 1)[1].split("</ul>", 1)[0]
    assert "GC" in unaudited and "AC" not in unaudited
    assert f"AUD-{org.year}-01" in html  # in the cells of AC × 8.2 and 9.1
    clauses = html.split('id="unaudited-clauses"', 1)[1].split("</ul>", 1)[0]
    assert "4.1" in clauses and "8.2" not in clauses


def test_the_programme_page(app, world):
    org, _programme_id = world
    assert _as(app, "sara").get(f"/audits/programme/{org.year}").status_code == 403
    seen = _as(app, "jorge").get(f"/audits/programme/{org.year}").get_data(as_text=True)
    assert "Todos los procesos del SGC." in seen and 'name="objectives"' not in seen
    next_year = org.year + 1
    fields = {"objectives": "Verificar.", "scope": "Todo el SGC.", "criteria": "ISO 9001:2015."}
    created_before = len(trail_events(app, "audit_programme:create"))  # this year's
    refused = _post(_as(app, "jorge"), f"/audits/programme/{next_year}", fields)
    assert refused.status_code == 403
    assert len(trail_events(app, "audit_programme:create")) == created_before
    lead = _as(app, "ana")
    assert 'name="objectives"' in lead.get(f"/audits/programme/{next_year}").get_data(as_text=True)
    missing = _post(lead, f"/audits/programme/{next_year}", {**fields, "criteria": ""})
    assert missing.status_code == 400
    assert _says(app, missing.get_data(as_text=True), "Give the audit criteria.")
    assert len(trail_events(app, "audit_programme:create")) == created_before
    created = _post(lead, f"/audits/programme/{next_year}", fields)
    assert created.status_code == 302
    assert len(trail_events(app, "audit_programme:create")) == created_before + 1
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(AuditProgramme.scope).where(AuditProgramme.year == next_year)
            )
            == "Todo el SGC."
        )
    assert lead.get("/audits/programme/1").status_code == 404


def test_editing_a_plan(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    form = _plan_form(org, title="Auditoría a AC, segundo semestre")
    form.pop("start_on"), form.pop("end_on"), form.pop("auditor_ids")  # lucia leaves
    refused = _post(_as(app, "jorge"), f"/audits/{audit_id}/edit", form)
    assert refused.status_code == 403 and trail_events(app, "audit:edit") == []
    lead = _as(app, "ana")
    page = lead.get(f"/audits/{audit_id}/edit").get_data(as_text=True)
    assert 'value="Auditoría a Atención al Cliente"' in page and 'name="start_on"' not in page
    assert 'value="8.2.1, 9.1.2"' in page
    done = _post(lead, f"/audits/{audit_id}/edit", form)
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    assert _audit(app, audit_id)["title"] == "Auditoría a AC, segundo semestre"
    [event] = trail_events(app, "audit:edit")
    assert json.loads(event.before)["team"] == ["jorge", "lucia"]
    assert json.loads(event.after)["team"] == ["jorge"]
    assert done.headers["Location"].endswith(f"/audits/{audit_id}")


def test_rescheduling_keeps_the_reason_and_the_history(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    day = _other_day(org.year)
    moved = {"start_on": day.isoformat(), "end_on": day.isoformat(), "reason": "Cierre contable."}
    refused = _post(_as(app, "sara"), f"/audits/{audit_id}/reschedule", moved)
    assert refused.status_code == 403 and trail_events(app, "audit:reschedule") == []
    lead = _as(app, "ana")
    no_reason = _post(lead, f"/audits/{audit_id}/reschedule", {**moved, "reason": ""})
    assert no_reason.status_code == 400 and _audit(app, audit_id)["moves"] == 0
    done = _post(lead, f"/audits/{audit_id}/reschedule", moved)
    assert done.status_code == 302, done.get_data(as_text=True)[:3000]
    assert _audit(app, audit_id)["start_on"] == day and _audit(app, audit_id)["moves"] == 1
    [event] = trail_events(app, "audit:reschedule")
    assert event.reason == "Cierre contable."
    history = lead.get(f"/audits/{audit_id}/reschedule").get_data(as_text=True)
    assert "Cierre contable." in history and day.isoformat() in history


def test_cancelling_needs_a_reason(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    refused = _post(_as(app, "jorge"), f"/audits/{audit_id}/cancel", {"reason": "No aplica."})
    assert refused.status_code == 403 and trail_events(app, "audit:cancel") == []
    lead = _as(app, "ana")
    assert _post(lead, f"/audits/{audit_id}/cancel", {"reason": ""}).status_code == 400
    assert _audit(app, audit_id)["state"] == "planned"
    done = _post(lead, f"/audits/{audit_id}/cancel", {"reason": "Proceso fusionado con GC."})
    assert done.status_code == 302
    assert _audit(app, audit_id)["state"] == "cancelled"
    [event] = trail_events(app, "audit:cancel")
    assert event.reason == "Proceso fusionado con GC."
    again = lead.get(f"/audits/{audit_id}/cancel").get_data(as_text=True)
    assert "Proceso fusionado con GC." in again and 'name="reason"' not in again


def test_the_auditors_page_and_their_qualification(app, world):
    org, _programme_id = world
    assert _as(app, "sara").get("/audits/auditors").status_code == 403
    seen = _as(app, "jorge").get("/audits/auditors").get_data(as_text=True)
    assert f'id="auditor-{org.auditor_id}"' in seen and f'id="auditor-{org.member_id}"' in seen
    assert f'id="auditor-{org.outsider_id}"' not in seen and 'name="training"' not in seen
    profile = {"training": "Auditor interno ISO 9001:2015 (ICONTEC, 24 h).", "qualified_on": ""}
    refused = _post(_as(app, "jorge"), f"/audits/auditors/{org.auditor_id}", profile)
    assert refused.status_code == 403 and trail_events(app, "auditor:qualify") == []
    lead = _as(app, "ana")
    empty = _post(lead, f"/audits/auditors/{org.auditor_id}", {"training": ""})
    assert empty.status_code == 400
    assert _says(app, empty.get_data(as_text=True), "Describe the auditor's training.")
    done = _post(lead, f"/audits/auditors/{org.auditor_id}", profile)
    assert done.status_code == 302
    assert len(trail_events(app, "auditor:qualify")) == 1
    with app.app_context():
        assert db.session.get(AuditorProfile, org.auditor_id).training == profile["training"]
    assert "ICONTEC" in lead.get("/audits/auditors").get_data(as_text=True)
    assert _post(lead, f"/audits/auditors/{org.outsider_id}", profile).status_code == 404
