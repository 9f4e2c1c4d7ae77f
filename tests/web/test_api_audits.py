"""Internal audits through the API with personal tokens: programme → plan (criteria required,
independence waived only with a justification) → notify → start → checklist → answers and
evidence → findings → a nonconformity per NC finding (once) → signed report → refused closes →
accepted → closed; who may do what (hidden → 404), races (409), bad bodies (400, nothing
stored), PDFs and the OpenAPI document.
Tests marked `sql` (visibility, races, constraints) also run on PostgreSQL.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.api.models import audits as audit_models
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit, AuditTeamMember
from qms.core.db import db
from qms.documents import approval
from tests.audits_fixtures import AuditOrg, build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import PASSWORD, bearer_for, trail_events
from tests.web.test_api_documents import call
from tests.web.test_api_shapes import assert_matches, assert_no_secrets

TODAY = approval.today()
WHY = "Único auditor formado en PQRS; acompañado por auditora externa."


@pytest.fixture
def org(app: Flask) -> AuditOrg:
    return build_audit_org(app)


@pytest.fixture
def as_(app: Flask, org: AuditOrg) -> dict[str, dict[str, str]]:
    """Bearer headers: ana (quality lead), jorge (lead auditor), lucia (auditor), olga (leads
    AC), raul (member of AC, auditor), sara (staff in AC, auditee), pedro (outsider)."""
    ids = {
        "ana": org.lead_id,
        "jorge": org.auditor_id,
        "lucia": org.second_auditor_id,
        "olga": org.leader_id,
        "raul": org.member_id,
        "sara": org.staff_id,
        "pedro": org.outsider_id,
    }
    return {name: bearer_for(app, uid) for name, uid in ids.items()}


def _programme_body() -> dict[str, str]:
    return {
        "objectives": "Verificar la conformidad del SGC con ISO 9001:2015.",
        "scope": "Todos los procesos del SGC.",
        "criteria": "ISO 9001:2015, documentos del SGC, Ley 1755 de 2015.",
        "risks": "Auditores insuficientes en diciembre.",
    }


def _plan_body(org: AuditOrg, **changes: Any) -> dict[str, Any]:
    body = {
        "programme_year": org.year,
        "title": "Auditoría a Atención al Cliente",
        "scope": "Atención de PQRS, canales presencial y telefónico.",
        "criteria": "ISO 9001:2015 8.2 y 9.1.2; AC-PR-01.",
        "process_ids": [org.ac_id],
        "start_on": TODAY.isoformat(),
        "end_on": TODAY.isoformat(),
        "lead_auditor": {"user_id": org.auditor_id},
        "auditors": [{"user_id": org.second_auditor_id}],
        "auditee_ids": [org.leader_id, org.staff_id],
        "clauses": ["8.2.1", "9.1.2"],
        "place": "Sede principal, sala 2",
    }
    return body | changes


def _audit_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) or 0


def _audit_actions(app: Flask) -> list[str]:
    return [e.action for e in trail_events(app) if e.object_type == "audit"]


def _notified(app: Flask, org: AuditOrg) -> int:
    """An audit planned by the services, its plan sent (without the notify module's mail)."""
    audit_id = planned_audit(app, org, programme_for(app, org))
    with app.app_context():
        WORKFLOW.apply(
            db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, user(org.lead_id)
        )
        db.session.commit()
    return audit_id


def test_the_whole_audit_through_the_api(app, client, org, as_):
    ana, jorge, lucia, olga = as_["ana"], as_["jorge"], as_["lucia"], as_["olga"]
    year = org.year
    saved = call(client, "PUT", f"/audit-programmes/{year}", ana, 200, **_programme_body())
    assert saved["year"] == year and saved["audits"] == []
    assert [e.actor_name for e in trail_events(app, "audit_programme:create")] == ["ana"]

    # No plan without criteria: 400 naming the field, and nothing stored.
    refused = call(client, "POST", "/audits", ana, 400, **_plan_body(org, criteria="  "))
    assert refused["error"]["field"] == "criteria"
    body = _plan_body(org)
    del body["criteria"]
    assert call(client, "POST", "/audits", ana, 400, **body)["error"]["field"] == "criteria"
    assert _audit_count(app) == 0 and not trail_events(app, "audit:plan")

    # Raúl belongs to AC: refused without a justification, seated with one.
    conflicted = _plan_body(org, auditors=[{"user_id": org.member_id}])
    refused = call(client, "POST", "/audits", ana, 400, **conflicted)
    assert refused["error"]["field"] == "auditor_ids" and "AC" in refused["error"]["message"]
    assert _audit_count(app) == 0
    seats = [{"user_id": org.second_auditor_id}, {"user_id": org.member_id, "justification": WHY}]
    waived = _plan_body(org, auditors=seats)
    audit = call(client, "POST", "/audits", ana, 200, **waived)
    assert audit["code"] == f"AUD-{year}-01" and audit["state"] == "planned"
    seats = {m["username"]: m for m in audit["team"]}
    assert seats["jorge"]["role"] == "lead" and seats["raul"]["justified_by_id"] == org.lead_id
    assert seats["raul"]["independence_justification"] == WHY
    (waiver,) = trail_events(app, "audit:independence_waive")
    assert waiver.reason == WHY and json.loads(waiver.after)["processes"] == ["AC"]
    path = f"/audits/{audit['id']}"

    sent = call(client, "POST", f"{path}/notify", jorge, 200)
    assert sent["state"] == "plan_notified" and sent["notified_at"]
    generated = call(client, "POST", f"{path}/checklist/generate?language=es", lucia, 200)
    assert generated["added"] == 2  # one per clause; AC has no document in force
    assert call(client, "POST", f"{path}/checklist/generate", lucia, 200)["added"] == 0
    extra = call(client, "POST", f"{path}/questions", jorge, 200, text="¿Se conocen los plazos?")
    edited = call(
        client, "PUT", f"/audit-questions/{extra['id']}", jorge, 200, text="¿Y los términos?"
    )
    assert edited["text"] == "¿Y los términos?"
    gone = call(client, "POST", f"/audit-questions/{extra['id']}/withdraw", jorge, 200)
    assert gone["withdrawn"] is True

    started = call(client, "POST", f"{path}/start", jorge, 200)
    assert started["state"] == "in_progress" and started["started_at"]
    assert call(client, "POST", f"{path}/questions", jorge, 409, text="¿Otra?")  # fixed now
    first, second = [q for q in started["questions"] if not q["withdrawn"]]
    answering = f"/audit-questions/{first['id']}/answer"
    no_notes = call(client, "PUT", answering, jorge, 400, answer="nonconforming")
    assert no_notes["error"]["field"] == "notes"
    seen = "PQRS 2026-118 respondida en 22 días hábiles."
    answered = call(client, "PUT", answering, jorge, 200, answer="nonconforming", notes=seen)
    assert answered["answer"] == "nonconforming" and answered["answered_by_id"] == org.auditor_id
    call(client, "PUT", f"/audit-questions/{second['id']}/answer", lucia, 200, answer="conforming")
    upload = client.post(
        f"/api/v1/audit-questions/{first['id']}/evidence?filename=pqrs-118.txt",
        headers={**jorge, "Content-Type": "text/plain"},
        data=b"Radicado 2026-118",
    )
    assert upload.status_code == 200, upload.get_data(as_text=True)
    assert_matches(upload.json, "AuditEvidence")
    download = client.get(f"/api/v1/audit-evidence/{upload.json['id']}", headers=as_["sara"])
    assert download.status_code == 200 and download.data == b"Radicado 2026-118"
    assert "attachment" in download.headers["Content-Disposition"]
    assert (
        client.get(f"/api/v1/audit-evidence/{upload.json['id']}", headers=as_["pedro"]).status_code
        == 404
    )

    major = call(
        client, "POST", f"{path}/findings", jorge, 200,
        grade="major_nc", process_id=org.ac_id, iso_clause="8.2.1",
        criterion="Ley 1755 de 2015: 15 días hábiles.", evidence=seen,
        statement="Las quejas se responden fuera del término legal.", question_id=first["id"],
    )  # fmt: skip
    assert major["seq"] == 1 and major["process"] == "AC" and major["nonconformity_id"] is None
    opened = call(client, "POST", f"/audit-findings/{major['id']}/nonconformity", jorge, 200)
    nc = opened["nonconformity"]
    assert opened["finding"]["nonconformity_id"] == nc["id"]
    assert (nc["source"], nc["severity"], nc["iso_clause"]) == ("internal_audit", "major", "8.2.1")
    again = call(client, "POST", f"/audit-findings/{major['id']}/nonconformity", jorge, 409)
    assert again["error"]["code"] == "conflict"
    minor = call(
        client, "POST", f"{path}/findings", lucia, 200,
        grade="minor_nc", process_id=org.ac_id, criterion="AC-PR-01 paso 3.",
        evidence="Sin firma del cliente en 2 de 10 actas.", statement="Actas sin firma.",
    )  # fmt: skip

    early = call(client, "POST", f"{path}/report/issue", jorge, 400, password=PASSWORD)
    assert early["error"]["field"] == "conclusions"
    written = call(
        client, "PUT", f"{path}/report", jorge, 200,
        conclusions="El proceso cumple salvo el término de respuesta.",
        strengths="Registro de PQRS completo.", distribution="Gerencia; líder de AC.",
    )  # fmt: skip
    assert written["strengths"] == "Registro de PQRS completo."
    call(client, "POST", f"{path}/report/issue", lucia, 403, password=PASSWORD)  # not the lead
    wrong = call(client, "POST", f"{path}/report/issue", jorge, 403, password="nope")
    assert wrong["error"]["code"] == "signature_refused" and wrong["error"]["field"] == "password"
    (attempt,) = trail_events(app, "signature:refused")  # kept although the answer is an error
    assert attempt.actor_name == "jorge" and attempt.object_id == str(audit["id"])
    assert call(client, "GET", path, jorge, 200)["state"] == "in_progress"
    issued = call(client, "POST", f"{path}/report/issue", jorge, 200, password=PASSWORD)
    assert issued["audit"]["state"] == "report_issued"
    assert issued["signature"]["meaning"] == "signed"
    assert issued["signature"]["content_sha256"] == issued["audit"]["report_sha256"]
    call(client, "PUT", f"{path}/report", jorge, 409, conclusions="Otra.")  # read-only now

    missing = call(client, "POST", f"{path}/close", ana, 409)
    assert missing["error"]["code"] == "conflict" and "2" in missing["error"]["message"]
    call(client, "POST", f"/audit-findings/{minor['id']}/nonconformity", lucia, 200)
    assert call(client, "POST", f"{path}/close", ana, 409)["error"]["code"] == "conflict"
    assert call(client, "GET", path, ana, 200)["state"] == "report_issued"
    assert not trail_events(app, "audit:close")  # refused twice: unaccepted now
    call(client, "POST", f"{path}/report/accept", as_["sara"], 403, password=PASSWORD)
    accepted = call(
        client, "POST", f"{path}/report/accept", olga, 200, password=PASSWORD, comment="Recibido."
    )
    assert accepted["signature"]["meaning"] == "accepted"
    assert accepted["signature"]["printed_name"] == "Olga"
    assert accepted["signature"]["comment"] == "Recibido."
    call(client, "POST", f"{path}/close", jorge, 403)  # closing is the quality lead's
    closed = call(client, "POST", f"{path}/close", ana, 200)
    assert closed["state"] == "closed" and closed["closed_at"]
    assert [f["nonconformity_id"] is not None for f in closed["findings"]] == [True, True]
    assert call(client, "GET", path, as_["sara"], 200)["state"] == "closed"  # an auditee
    assert call(client, "GET", path, as_["pedro"], 404)["error"]["code"] == "not_found"
    assert_no_secrets(app, json.dumps(closed))

    expected = [
        "audit:plan",
        "audit:independence_waive",
        "audit:notify_plan",
        "audit:generate_checklist",
        "audit:add_question",
        "audit:edit_question",
        "audit:withdraw_question",
        "audit:start",
        "audit:answer",
        "audit:attach",
        "audit:record_finding",
        "audit:open_nonconformity",
        "audit:record_finding",
        "audit:write_report",
        "signature:refused",
        "audit:issue_report",
        "audit:open_nonconformity",
        "audit:accept_report",
        "audit:close",
    ]
    remaining = iter(_audit_actions(app))
    assert all(action in remaining for action in expected)  # in this order
    assert [e.actor_name for e in trail_events(app, "audit:close")] == ["ana"]


@pytest.mark.sql
def test_who_may_plan_and_who_sees_an_audit(app, client, org, as_):
    call(client, "PUT", f"/audit-programmes/{org.year}", as_["ana"], 200, **_programme_body())
    refused = call(client, "POST", "/audits", as_["sara"], 403, **_plan_body(org))
    assert refused["error"]["code"] == "forbidden"
    call(client, "POST", "/audits", as_["jorge"], 403, **_plan_body(org))  # auditors run, not plan
    assert _audit_count(app) == 0 and not trail_events(app, "audit:plan")
    call(client, "PUT", f"/audit-programmes/{org.year}", as_["sara"], 403, **_programme_body())
    call(client, "GET", f"/audit-programmes/{org.year}", as_["sara"], 403)
    no_programme = _plan_body(org, programme_year=org.year + 1)
    assert call(client, "POST", "/audits", as_["ana"], 409, **no_programme)["error"]["code"] == (
        "conflict"
    )
    del no_programme["programme_year"]
    call(client, "POST", "/audits", as_["ana"], 404, **no_programme, programme_id=9999)
    audit = call(client, "POST", "/audits", as_["ana"], 200, **_plan_body(org))
    [planned] = trail_events(app, "audit:plan")
    assert planned.actor_name == "ana" and planned.object_id == str(audit["id"])
    path = f"/audits/{audit['id']}"

    assert call(client, "GET", path, as_["pedro"], 404)["error"]["code"] == "not_found"
    assert call(client, "GET", "/audits", as_["pedro"], 200)["items"] == []
    call(client, "POST", f"{path}/start", as_["pedro"], 403)  # no audit:conduct at all
    for who in ("sara", "olga", "jorge", "ana"):
        assert call(client, "GET", path, as_[who], 200)["id"] == audit["id"]
    listed = call(client, "GET", f"/audits?year={org.year}&state=planned", as_["sara"], 200)
    assert [a["code"] for a in listed["items"]] == [audit["code"]]
    assert call(client, "GET", "/audits?state=closed", as_["ana"], 200)["items"] == []
    assert call(client, "GET", "/audits?state=done", as_["ana"], 400)["error"]["field"] == "state"
    programme = call(client, "GET", f"/audit-programmes/{org.year}", as_["jorge"], 200)
    assert [a["id"] for a in programme["audits"]] == [audit["id"]]
    call(client, "GET", f"/audit-programmes/{org.year + 1}", as_["ana"], 404)

    # Lucía (on the team, not its lead) may not send the plan; Raúl (an auditor off the team)
    # may not start it; only a quality lead cancels.
    call(client, "POST", f"{path}/notify", as_["lucia"], 403)
    assert not trail_events(app, "audit:notify_plan")
    call(client, "POST", f"{path}/notify", as_["jorge"], 200)
    call(client, "POST", f"{path}/start", as_["raul"], 403)
    assert not trail_events(app, "audit:start")
    call(client, "POST", f"{path}/cancel", as_["jorge"], 403, reason="No hay tiempo.")
    assert (
        call(client, "POST", f"{path}/cancel", as_["ana"], 400, reason=" ")["error"]["field"]
        == "reason"
    )
    cancelled = call(client, "POST", f"{path}/cancel", as_["ana"], 200, reason="Proceso fusionado.")
    assert (cancelled["state"], cancelled["cancel_reason"]) == ("cancelled", "Proceso fusionado.")
    assert trail_events(app, "audit:cancel")[0].reason == "Proceso fusionado."
    call(client, "POST", f"{path}/start", as_["jorge"], 409)

    for method, unknown in [("GET", "/audits/9999"), ("POST", "/audits/9999/start")]:
        assert call(client, method, unknown, as_["ana"], 404)["error"]["code"] == "not_found"


def test_edit_reschedule_and_the_plan_sent_again(app, client, org, as_):
    call(client, "PUT", f"/audit-programmes/{org.year}", as_["ana"], 200, **_programme_body())
    audit = call(client, "POST", "/audits", as_["ana"], 200, **_plan_body(org))
    path = f"/audits/{audit['id']}"
    edit = _plan_body(org, title="Auditoría de PQRS", clauses=["8.2"])
    del edit["programme_year"]
    edited = call(client, "PUT", path, as_["ana"], 200, **edit)
    assert (edited["title"], edited["clauses"]) == ("Auditoría de PQRS", ["8.2"])
    later = TODAY.replace(day=28 if TODAY.day < 28 else 1)
    moved = call(client, "PUT", path, as_["ana"], 400, **(edit | {"start_on": later.isoformat()}))
    assert moved["error"]["field"] == "start_on"
    assert trail_events(app, "audit:edit")[0].actor_name == "ana"
    call(client, "POST", f"{path}/notify", as_["jorge"], 200)
    body = {"start_on": later.isoformat(), "end_on": later.isoformat()}
    assert (
        call(client, "POST", f"{path}/reschedule", as_["ana"], 400, **body, reason="")["error"][
            "field"
        ]
        == "reason"
    )
    rescheduled = call(
        client,
        "POST",
        f"{path}/reschedule",
        as_["ana"],
        200,
        **body,
        reason="Auditado en vacaciones.",
    )
    assert rescheduled["state"] == "planned" and rescheduled["start_on"] == later.isoformat()
    assert rescheduled["planned_month"] == TODAY.replace(day=1).isoformat()
    assert [r["reason"] for r in rescheduled["reschedules"]] == ["Auditado en vacaciones."]
    assert trail_events(app, "audit:reschedule")[0].reason == "Auditado en vacaciones."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"process_ids": ["AC"]}, "process_ids"),
        ({"process_ids": []}, "processes"),
        ({"lead_auditor": {"id": 1}}, "lead_auditor"),
        ({"lead_auditor": 3}, "lead_auditor"),
        ({"auditors": [5]}, "auditors"),
        ({"start_on": "mañana"}, "start_on"),
        ({"end_on": "2000-01-01"}, "end_on"),
        ({"clauses": ["99.9"]}, "clauses"),
        ({"titel": "x"}, "titel"),
        ({"title": " "}, "title"),
        ({"programme_year": None}, "programme_year"),
        ({"follow_up_of_id": 9999}, "follow_up_of_id"),
    ],
)
def test_bad_plans_are_400_and_store_nothing(app, client, org, as_, changes, field):
    call(client, "PUT", f"/audit-programmes/{org.year}", as_["ana"], 200, **_programme_body())
    body = {k: v for k, v in (_plan_body(org) | changes).items() if v is not None}
    refused = call(client, "POST", "/audits", as_["ana"], 400, **body)
    assert refused["error"]["field"] == field
    assert _audit_count(app) == 0 and not trail_events(app, "audit:plan")


@pytest.mark.sql
def test_the_same_transition_twice_is_a_conflict(app, org, as_):
    """Two clients start the audit at once: one wins, the other gets 409; one trail event."""
    audit_id = _notified(app, org)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def start(headers: dict[str, str]) -> None:
        client = app.test_client()
        barrier.wait(30)
        statuses.append(
            client.post(f"/api/v1/audits/{audit_id}/start", headers=headers).status_code
        )

    threads = [threading.Thread(target=start, args=(as_[who],)) for who in ("jorge", "lucia")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [200, 409]
    assert len(trail_events(app, "audit:start")) == 1
    # And once more, in turn: the audit is no longer waiting to start.
    again = call(app.test_client(), "POST", f"/audits/{audit_id}/start", as_["jorge"], 409)
    assert again["error"]["code"] == "conflict"
    assert len(trail_events(app, "audit:start")) == 1


def test_coverage_adherence_and_auditors(app, client, org, as_):
    audit_id = _notified(app, org)
    coverage = call(client, "GET", f"/audit-programmes/{org.year}/coverage", as_["jorge"], 200)
    assert coverage["unaudited_processes"] == ["GC"]
    ac = next(p for p in coverage["processes"] if p["code"] == "AC")
    assert [c["clause"] for c in ac["covered"]] == ["8.2", "9.1"]
    assert "8.2" not in coverage["unaudited_clauses"] and "7.1" in coverage["unaudited_clauses"]
    assert coverage["adherence"] == {"due": 0, "on_plan": 0, "rate": None}
    call(client, "POST", f"/audits/{audit_id}/start", as_["jorge"], 200)
    after = call(client, "GET", f"/audit-programmes/{org.year}/coverage", as_["ana"], 200)
    assert after["adherence"] == {"due": 1, "on_plan": 1, "rate": 1.0}
    call(client, "GET", f"/audit-programmes/{org.year}/coverage", as_["sara"], 403)

    profile = {"training": "ISO 19011:2018, 16 h.", "qualified_on": "2024-05-10"}
    call(client, "PUT", f"/auditors/{org.auditor_id}", as_["jorge"], 403, **profile)
    assert not trail_events(app, "auditor:qualify")
    bad = call(client, "PUT", f"/auditors/{org.auditor_id}", as_["ana"], 400, training="")
    assert bad["error"]["field"] == "training"
    saved = call(client, "PUT", f"/auditors/{org.auditor_id}", as_["ana"], 200, **profile)
    assert (saved["username"], saved["qualified_on"]) == ("jorge", "2024-05-10")
    call(client, "PUT", "/auditors/9999", as_["ana"], 404, **profile)
    [qualified] = trail_events(app, "auditor:qualify")
    assert qualified.actor_name == "ana" and qualified.object_id == str(org.auditor_id)
    listed = {
        a["username"]: a for a in call(client, "GET", "/auditors", as_["jorge"], 200)["items"]
    }
    assert {"ana", "jorge", "lucia", "raul"} <= set(listed) and "sara" not in listed
    assert listed["jorge"]["training"] == "ISO 19011:2018, 16 h."
    assert listed["jorge"]["audits_done"] == 0
    call(client, "GET", "/auditors", as_["sara"], 403)


def test_plan_and_report_pdfs(app, client, org, as_):
    audit_id = _notified(app, org)
    for name in ("plan", "report"):
        response = client.get(f"/api/v1/audits/{audit_id}/{name}.pdf", headers=as_["sara"])
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")
        assert f'filename="AUD-{org.year}-01-' in response.headers["Content-Disposition"]
        hidden = client.get(f"/api/v1/audits/{audit_id}/{name}.pdf", headers=as_["pedro"])
        assert hidden.status_code == 404
    assert [e.actor_name for e in trail_events(app, "audit:print_plan")] == ["sara"]


@pytest.mark.sql
def test_the_team_is_kept_in_the_database_when_a_plan_is_refused(app, client, org, as_):
    """A refused edit (a conflicted auditor without justification) leaves the team as it was."""
    audit_id = planned_audit(app, org, programme_for(app, org))
    edit = _plan_body(org, auditors=[{"user_id": org.member_id}])
    del edit["programme_year"]
    call(client, "PUT", f"/audits/{audit_id}", as_["ana"], 400, **edit)
    with app.app_context():
        seated = db.session.scalars(
            sa.select(AuditTeamMember.user_id).where(
                AuditTeamMember.audit_id == audit_id, AuditTeamMember.removed_at.is_(None)
            )
        )
        assert set(seated) == {org.auditor_id, org.second_auditor_id}
    assert not trail_events(app, "audit:edit")


_DECLARED = {
    ("/audit-programmes/{year}", "get"): ("audit:read_all", False),
    ("/audit-programmes/{year}", "put"): ("audit_programme:manage", False),
    ("/audit-programmes/{year}/coverage", "get"): ("audit:read_all", False),
    ("/audits", "get"): ("audit:read_all", True),
    ("/audits", "post"): ("audit_programme:manage", False),
    ("/audits/{audit_id}", "get"): ("audit:read_all", True),
    ("/audits/{audit_id}", "put"): ("audit_programme:manage", False),
    ("/audits/{audit_id}/reschedule", "post"): ("audit_programme:manage", False),
    ("/audits/{audit_id}/cancel", "post"): ("audit_programme:manage", False),
    ("/audits/{audit_id}/notify", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/start", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/agenda", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/agenda/default", "post"): ("audit:conduct", False),
    ("/audit-agenda-items/{item_id}/remove", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/checklist/generate", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/questions", "post"): ("audit:conduct", False),
    ("/audit-questions/{question_id}", "put"): ("audit:conduct", False),
    ("/audit-questions/{question_id}/withdraw", "post"): ("audit:conduct", False),
    ("/audit-questions/{question_id}/answer", "put"): ("audit:conduct", False),
    ("/audit-questions/{question_id}/evidence", "post"): ("audit:conduct", False),
    ("/audit-evidence/{evidence_id}", "get"): ("audit:read_all", True),
    ("/audits/{audit_id}/findings", "post"): ("audit:conduct", False),
    ("/audit-findings/{finding_id}/nonconformity", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/report", "put"): ("audit:conduct", False),
    ("/audits/{audit_id}/report/issue", "post"): ("audit:conduct", False),
    ("/audits/{audit_id}/report/accept", "post"): ("audit_report:accept", False),
    ("/audits/{audit_id}/close", "post"): ("audit_programme:manage", False),
    ("/audits/{audit_id}/plan.pdf", "get"): ("audit:read_all", True),
    ("/audits/{audit_id}/report.pdf", "get"): ("audit:read_all", True),
    ("/auditors", "get"): ("audit:read_all", False),
    ("/auditors/{user_id}", "put"): ("audit_programme:manage", False),
    ("/calendar-feed", "get"): ("calendar_feed:manage", False),
    ("/calendar-feed", "post"): ("calendar_feed:manage", False),
    ("/calendar-feed/revoke", "post"): ("calendar_feed:manage", False),
}


def test_the_openapi_document_lists_the_audit_operations(client):
    document = client.get("/api/v1/openapi.json").json
    audit_paths = {
        (path, method)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if op["tags"] == ["audits"]
    }
    assert audit_paths == set(_DECLARED)
    for (path, method), (permission, own) in _DECLARED.items():
        op = document["paths"][path][method]
        assert op["x-permission"] == permission, (path, method)
        assert op.get("x-permission-own-objects", False) is own, (path, method)
    issuing = document["paths"]["/audits/{audit_id}/report/issue"]["post"]
    body = issuing["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/AuditReportIssue"
    pdf = document["paths"]["/audits/{audit_id}/report.pdf"]["get"]["responses"]["200"]
    assert list(pdf["content"]) == ["application/pdf"]
    upload = document["paths"]["/audit-questions/{question_id}/evidence"]["post"]
    assert "*/*" in upload["requestBody"]["content"] and "413" in upload["responses"]
    # The answers' schemas are the models' own.
    audit = document["components"]["schemas"]["Audit"]
    assert audit["required"] == list(audit_models.Audit.model_fields)
