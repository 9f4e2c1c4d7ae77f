"""An audit's own page and the auditor's work through the web: each step refused to whoever may
not take it (no trail event), taken and recorded by whoever may; the checklist answers as a
form post and as JSON; evidence files; finding → nonconformity → the link back; the report."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from qms.audits import checklist, findings, report
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit, AuditState
from qms.core.db import db
from qms.users.models import User
from tests.audits_fixtures import AuditOrg, build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import PASSWORD, csrf_token, login, make_user, trail_events

# A picture whose bytes also hold a script, named like a web page: stored as the PNG it is.
PICTURE = b"\x89PNG\r\n\x1a\n<script>alert(1)</script>"


@pytest.fixture
def org(app) -> AuditOrg:
    found = build_audit_org(app)
    make_user(app, "tomas", ["auditor"])  # an auditor who is not on the team
    with app.app_context():  # English pages: the assertions hold once the lead translates
        db.session.execute(sa.update(User).values(locale="en"))
        db.session.commit()
    return found


@pytest.fixture
def audit_id(app, org) -> int:
    return planned_audit(app, org, programme_for(app, org))


def _as(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    token = csrf_token(client, "/dashboard")
    return client.post(path, data={**(data or {}), "csrf_token": token}, **kwargs)


def _audit(app, audit_id: int) -> Audit:
    with app.app_context():
        found = db.session.get(Audit, audit_id)
        # Loaded now, read after the session is gone.
        for question in found.questions:
            _ = question.evidence
        _ = (found.agenda, found.findings, found.signatures)
        db.session.expunge_all()
        return found


def _in_progress(app, org: AuditOrg, audit_id: int) -> list[int]:
    """Checklist generated, plan notified, audit started; the question ids."""
    with app.app_context():
        jorge = user(org.auditor_id)
        checklist.generate_checklist(db.session, jorge, audit_id)
        WORKFLOW.apply(db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, jorge)
        audits.start_audit(db.session, jorge, audit_id)
        db.session.commit()
        return [q.id for q in db.session.get(Audit, audit_id).questions]


def _answer(client: FlaskClient, question_id: int, answer="conforming", notes="", **kw):
    return _post(
        client, f"/audits/questions/{question_id}/answer", {"answer": answer, "notes": notes}, **kw
    )


def test_the_plan_is_shown_to_those_it_concerns_and_hidden_from_others(app, org, audit_id):
    page = _as(app, "sara").get(f"/audits/{audit_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("Atención de PQRS", "Sala 2".lower(), "Jorge", "Lucia", "Olga", "8.2.1"):
        assert text.lower() in html.lower(), text
    assert f"/audits/{audit_id}/notify" not in html  # sara may not send the plan
    assert f"/audits/{audit_id}/notify" in _as(app, "jorge").get(f"/audits/{audit_id}").text
    lead = _as(app, "ana").get(f"/audits/{audit_id}").text
    assert f"/audits/{audit_id}/agenda/default" in lead  # a quality lead keeps the agenda too
    assert _as(app, "pedro").get(f"/audits/{audit_id}").status_code == 404


def test_agenda_is_kept_by_the_lead_auditor_not_by_another_team_member(app, org, audit_id):
    day = _audit(app, audit_id).start_on.isoformat()
    item = {"kind": "interview", "day": day, "starts_at": "09:00", "ends_at": "10:00"}
    item["process_id"] = str(org.ac_id)
    assert _post(_as(app, "lucia"), f"/audits/{audit_id}/agenda", item).status_code == 403
    assert _post(_as(app, "olga"), f"/audits/{audit_id}/agenda", item).status_code == 403
    assert trail_events(app, "audit:add_agenda_item") == []
    jorge = _as(app, "jorge")
    late = _post(jorge, f"/audits/{audit_id}/agenda", {**item, "ends_at": "08:00"})
    assert late.status_code == 400 and "must end after it starts" in late.text
    assert _post(jorge, f"/audits/{audit_id}/agenda", item).status_code == 302
    (event,) = trail_events(app, "audit:add_agenda_item")
    assert json.loads(event.after)["process"] == "AC"
    (row,) = _audit(app, audit_id).agenda
    assert _post(_as(app, "ana"), f"/audits/agenda/{row.id}/remove").status_code == 302
    assert len(trail_events(app, "audit:remove_agenda_item")) == 1
    assert _audit(app, audit_id).agenda == []
    assert _post(jorge, f"/audits/{audit_id}/agenda/default").status_code == 302
    kinds = [i.kind for i in _audit(app, audit_id).agenda]
    assert kinds == ["opening", "interview", "closing"]


def test_notify_then_start_by_the_team_only(app, org, audit_id):
    pytest.importorskip("qms.audits.notify")
    assert _post(_as(app, "lucia"), f"/audits/{audit_id}/notify").status_code == 403
    assert _post(_as(app, "jorge"), f"/audits/{audit_id}/notify").status_code == 302
    assert len(trail_events(app, "audit:notify_plan")) == 1
    assert _post(_as(app, "tomas"), f"/audits/{audit_id}/start").status_code == 403
    assert _post(_as(app, "sara"), f"/audits/{audit_id}/start").status_code == 403
    assert trail_events(app, "audit:start") == []
    assert _post(_as(app, "lucia"), f"/audits/{audit_id}/start").status_code == 302
    assert _audit(app, audit_id).state == AuditState.IN_PROGRESS
    assert len(trail_events(app, "audit:start")) == 1


def test_the_checklist_is_prepared_by_the_team_before_the_audit(app, org, audit_id):
    assert _post(_as(app, "tomas"), f"/audits/{audit_id}/checklist/generate").status_code == 403
    assert trail_events(app, "audit:generate_checklist") == []
    jorge = _as(app, "jorge")
    assert _post(jorge, f"/audits/{audit_id}/checklist/generate").status_code == 302
    added = _post(jorge, f"/audits/{audit_id}/questions", {"text": "¿Se miden los tiempos?"})
    assert added.status_code == 302 and added.headers["Location"].endswith("#add-question")
    questions = _audit(app, audit_id).questions
    assert len(questions) == 3
    first = questions[0].id
    assert _post(jorge, f"/audits/questions/{first}/edit", {"text": "¿Otra?"}).status_code == 302
    assert _post(jorge, f"/audits/questions/{first}/withdraw").status_code == 302
    for action in ("generate_checklist", "add_question", "edit_question", "withdraw_question"):
        assert len(trail_events(app, f"audit:{action}")) == 1, action
    page = jorge.get(f"/audits/{audit_id}/checklist").text
    assert "¿Otra?" in page and "¿Se miden los tiempos?" in page


def test_an_auditor_off_the_team_may_not_answer(app, org, audit_id):
    question_id = _in_progress(app, org, audit_id)[0]
    assert _answer(_as(app, "tomas"), question_id).status_code == 403
    assert _answer(_as(app, "sara"), question_id).status_code == 403
    refused = _answer(_as(app, "tomas"), question_id, headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.json["ok"] is False
    assert trail_events(app, "audit:answer") == []


def test_the_team_auditor_answers_with_a_form_post(app, org, audit_id):
    question_id = _in_progress(app, org, audit_id)[0]
    saved = _answer(_as(app, "lucia"), question_id, notes="Registro visto.")
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/audits/{audit_id}/checklist#q-{question_id}")
    (event,) = trail_events(app, "audit:answer")
    assert json.loads(event.after)["answer"] == "conforming"
    missing = _answer(_as(app, "lucia"), question_id, answer="nonconforming")
    assert missing.status_code == 400 and "needs its evidence" in missing.text
    assert len(trail_events(app, "audit:answer")) == 1


def test_the_script_answers_as_json(app, org, audit_id):
    question_id = _in_progress(app, org, audit_id)[1]
    jorge = _as(app, "jorge")
    accept = {"Accept": "application/json"}
    saved = _answer(jorge, question_id, "not_applicable", "No aplica.", headers=accept)
    assert saved.status_code == 200
    assert saved.json["ok"] is True
    assert saved.json["answer"]["answer"] == "not_applicable"
    assert saved.json["answer"]["notes"] == "No aplica."
    again = _answer(jorge, question_id, "not_applicable", "No aplica.", headers=accept)
    assert again.json["ok"] is True  # a retry of the same answer records nothing new
    refused = _answer(jorge, question_id, "nonconforming", headers=accept)
    assert refused.status_code == 400
    assert refused.json == {
        "ok": False,
        "error": {
            "code": "validation_failed",
            "field": "notes",
            "message": refused.json["error"]["message"],
        },
    }
    assert len(trail_events(app, "audit:answer")) == 1
    page = jorge.get(f"/audits/{audit_id}/checklist").text
    assert "js/audit_checklist.js" in page and "checklist-config" in page


def test_evidence_upload_and_download(app, org, audit_id):
    question_id = _in_progress(app, org, audit_id)[0]
    path = f"/audits/questions/{question_id}/evidence"
    photo = {"file": (BytesIO(b"<script>alert(1)</script>"), "foto.html")}
    assert (
        _post(_as(app, "tomas"), path, photo, content_type="multipart/form-data").status_code == 403
    )
    assert trail_events(app, "audit:attach") == []
    jorge = _as(app, "jorge")
    page = {"file": (BytesIO(b"<html><script>alert(1)</script>"), "acta.pdf")}
    assert _post(jorge, path, page, content_type="multipart/form-data").status_code == 415
    assert trail_events(app, "audit:attach") == []
    photo = {"file": (BytesIO(PICTURE), "foto.html")}
    uploaded = _post(jorge, path, photo, content_type="multipart/form-data")
    assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith(
        f"#q-{question_id}"
    )
    assert len(trail_events(app, "audit:attach")) == 1
    (evidence,) = _audit(app, audit_id).questions[0].evidence
    assert f"/audits/evidence/{evidence.id}" in jorge.get(f"/audits/{audit_id}/checklist").text
    download = _as(app, "sara").get(f"/audits/evidence/{evidence.id}")
    assert download.data == PICTURE
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert _as(app, "pedro").get(f"/audits/evidence/{evidence.id}").status_code == 404


FINDING = {
    "grade": "minor_nc",
    "iso_clause": "8.2.1",
    "criterion": "Ley 1755 de 2015: 15 días hábiles.",
    "evidence": "PQRS 2026-118 respondida en 22 días hábiles.",
    "statement": "Las quejas se responden fuera del término legal.",
}


def test_finding_opens_its_nonconformity_which_links_back(app, org, audit_id):
    _in_progress(app, org, audit_id)
    finding = {**FINDING, "process_id": str(org.ac_id)}
    assert _post(_as(app, "tomas"), f"/audits/{audit_id}/findings", finding).status_code == 403
    assert trail_events(app, "audit:record_finding") == []
    jorge = _as(app, "jorge")
    bad = _post(jorge, f"/audits/{audit_id}/findings", {**finding, "process_id": str(org.gc_id)})
    assert bad.status_code == 400 and "audited processes" in bad.text
    assert _post(jorge, f"/audits/{audit_id}/findings", finding).status_code == 302
    assert len(trail_events(app, "audit:record_finding")) == 1
    (row,) = _audit(app, audit_id).findings
    path = f"/audits/findings/{row.id}/nonconformity"
    assert _post(_as(app, "tomas"), path).status_code == 403
    opened = _post(jorge, path)
    assert opened.status_code == 302 and "/nonconformities/" in opened.headers["Location"]
    assert len(trail_events(app, "audit:open_nonconformity")) == 1
    twice = _post(jorge, path)
    assert twice.status_code == 409 and "already has its nonconformity" in twice.text
    nc_page = jorge.get(opened.headers["Location"]).text
    code = _audit(app, audit_id).code
    assert f"From internal audit {code} finding 1" in nc_page
    assert f'href="/audits/{audit_id}#finding-1"' in nc_page
    assert "/nonconformities/" in jorge.get(f"/audits/{audit_id}").text


def _ready_to_issue(app, org, audit_id) -> int:
    """Every question answered, an NC finding recorded, the report's text written."""
    _in_progress(app, org, audit_id)
    with app.app_context():
        jorge = user(org.auditor_id)
        for question in db.session.get(Audit, audit_id).questions:
            checklist.answer_question(db.session, jorge, question.id, answer="conforming")
        finding = findings.record_finding(
            db.session, jorge, audit_id, process_id=org.ac_id, **FINDING
        )
        db.session.commit()
        return finding.id


def test_report_text_and_issue_with_a_wrong_password_refused(app, org, audit_id):
    _ready_to_issue(app, org, audit_id)
    text = {"conclusions": "Cumple salvo el término.", "strengths": "", "distribution": "Gerencia"}
    assert _post(_as(app, "tomas"), f"/audits/{audit_id}/report", text).status_code == 403
    lucia = _as(app, "lucia")
    assert _post(lucia, f"/audits/{audit_id}/report", text).status_code == 302
    assert len(trail_events(app, "audit:write_report")) == 1
    # Only the lead auditor signs.
    assert (
        _post(lucia, f"/audits/{audit_id}/report/issue", {"password": PASSWORD}).status_code == 403
    )
    jorge = _as(app, "jorge")
    wrong = _post(jorge, f"/audits/{audit_id}/report/issue", {"password": "wrong"})
    assert wrong.status_code == 400 and "Wrong password" in wrong.text
    assert _audit(app, audit_id).state == AuditState.IN_PROGRESS
    assert len(trail_events(app, "signature:refused")) == 1
    assert trail_events(app, "audit:issue_report") == []
    issued = _post(jorge, f"/audits/{audit_id}/report/issue", {"password": PASSWORD})
    assert issued.status_code == 302
    assert _audit(app, audit_id).state == AuditState.REPORT_ISSUED
    assert len(trail_events(app, "audit:issue_report")) == 1


def test_close_is_refused_while_a_nonconformity_finding_has_none(app, org, audit_id):
    finding_id = _ready_to_issue(app, org, audit_id)
    with app.app_context():
        jorge = user(org.auditor_id)
        report.save_report_text(
            db.session, jorge, audit_id, conclusions="Cumple.", strengths="", distribution=""
        )
        report.issue_report(db.session, jorge, audit_id, PASSWORD)
        db.session.commit()
    ana = _as(app, "ana")
    assert _post(_as(app, "jorge"), f"/audits/{audit_id}/close").status_code == 403
    refused = _post(ana, f"/audits/{audit_id}/close")
    assert refused.status_code == 409
    assert "Open a nonconformity for every nonconformity finding first (finding 1)" in refused.text
    assert trail_events(app, "audit:close") == []
    assert _post(ana, f"/audits/findings/{finding_id}/nonconformity").status_code == 302
    accept = {"password": PASSWORD, "comment": "Recibido."}
    assert _post(_as(app, "sara"), f"/audits/{audit_id}/report/accept", accept).status_code == 403
    olga = _as(app, "olga")
    assert "Accept the report" in olga.get(f"/audits/{audit_id}").text
    assert _post(olga, f"/audits/{audit_id}/report/accept", accept).status_code == 302
    assert len(trail_events(app, "audit:accept_report")) == 1
    assert _post(ana, f"/audits/{audit_id}/close").status_code == 302
    assert _audit(app, audit_id).state == AuditState.CLOSED
    assert len(trail_events(app, "audit:close")) == 1
    page = olga.get(f"/audits/{audit_id}").text
    assert "Recibido." in page and "Jorge" in page


def test_the_agenda_is_fixed_once_the_audit_runs(app, org, audit_id):
    _in_progress(app, org, audit_id)
    day = _audit(app, audit_id).start_on.isoformat()
    item = {"kind": "closing", "day": day, "starts_at": "17:00", "ends_at": "17:30"}
    refused = _post(_as(app, "jorge"), f"/audits/{audit_id}/agenda", item)
    assert refused.status_code == 409 and "fixed once the audit has started" in refused.text
    assert trail_events(app, "audit:add_agenda_item") == []
