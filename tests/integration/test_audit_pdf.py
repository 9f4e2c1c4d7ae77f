"""The audit plan and report PDFs, rendered by the real WeasyPrint and read back."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from qms.audits import report
from qms.audits.pdf import audit_plan_pdf, audit_report_pdf
from qms.audits.services import TeamSeat
from qms.core.db import db
from qms.core.errors import NotFound
from tests.audit_flow_helpers import STATEMENT, add_agenda, run_to_report
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import PASSWORD, login, trail_events


@pytest.fixture
def world(app):
    org = build_audit_org(app)
    return org, planned_audit(app, org, programme_for(app, org))


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_the_plan_pdf_states_what_when_where_and_who(app, world):
    org, audit_id = world
    with app.test_request_context(), force_locale("en"):
        add_agenda(audit_id, org)
        db.session.commit()
        # An auditee sees the plan of their audit.
        pdf, name = audit_plan_pdf(db.session, user(org.staff_id), audit_id)
        db.session.commit()
    text = _text(pdf)
    assert name.endswith("-plan.pdf") and name.startswith("AUD-")
    code = name.removesuffix("-plan.pdf")
    for expected in (
        code,
        "Audit plan",
        "Verificar la conformidad",  # the programme's objectives (the audit has none of its own)
        "Atención de PQRS",  # scope
        "8.2.1",
        "Customer communication",  # the clause's title from the catalogue
        "Sede principal, sala 2",
        "Opening meeting",
        "Entrevista atención PQRS",
        "08:30–10:00",
        "Closing meeting",
        "Jorge",  # lead auditor
        "Olga",  # auditee
        "1 of ",  # the running header's page counter (on Carta, the default paper)
    ):
        assert expected in text, expected
    (event,) = trail_events(app, "audit:print_plan")
    assert event.actor_name and json.loads(event.after)["code"] == code


def test_the_plan_prints_the_independence_record(app):
    org = build_audit_org(app)
    why = "Único auditor formado en PQRS; acompañado por auditora externa."
    waived = planned_audit(
        app, org, programme_for(app, org), auditors=[TeamSeat(org.member_id, justification=why)]
    )
    with app.test_request_context(), force_locale("es"):
        pdf, _name = audit_plan_pdf(db.session, user(org.lead_id), waived)
        db.session.commit()
    text = _text(pdf).replace("\n", " ")
    assert "Independencia de los auditores" in text
    assert "Raul" in text and "Único auditor formado en PQRS" in text and "Ana" in text


def test_the_report_pdf_is_a_draft_until_issued(app, world):
    org, audit_id = world
    with app.test_request_context(), force_locale("en"):
        run_to_report(org, audit_id, issue=False)
        pdf, name = audit_report_pdf(db.session, user(org.auditor_id), audit_id)
        db.session.commit()
    text = _text(pdf)
    assert "DRAFT" in text and name.endswith("-report-draft.pdf")
    assert STATEMENT in text
    (event,) = trail_events(app, "audit:print_report")
    assert json.loads(event.after)["draft"] is True


def test_the_issued_report_pdf_holds_findings_nonconformity_and_signatures(app, world):
    org, audit_id = world
    with app.test_request_context(), force_locale("en"):
        ran = run_to_report(org, audit_id)
        report.accept_report(db.session, user(org.leader_id), audit_id, PASSWORD, "Recibido.")
        db.session.commit()
        # The leader of the audited process reads it too.
        pdf, name = audit_report_pdf(db.session, user(org.leader_id), audit_id)
        db.session.commit()
    text = _text(pdf)
    assert "DRAFT" not in text and name.endswith("-report.pdf")
    for expected in (
        name.removesuffix("-report.pdf"),
        "Summary of findings",
        "Major nonconformity",
        "Ley 1755 de 2015",  # criterion
        "PQRS 2026-118",  # evidence
        STATEMENT,
        ran.nc_code,
        "Conforming",
        "El proceso cumple salvo",  # conclusions
        "Registro de PQRS completo",  # strengths
        "Gerencia; líder de AC.",  # distribution
        "Signed by the lead auditor",
        "Accepted by the process leader",
        "Auditor interno",  # the lead auditor's job title
        "Jefe de Atención",
        "SHA-256",
    ):
        assert expected in text, expected
    assert "Jorge" in text and "Olga" in text
    (event,) = trail_events(app, "audit:print_report")
    assert json.loads(event.after) == {"code": name.removesuffix("-report.pdf"), "draft": False}


@pytest.mark.sql
def test_an_outsider_gets_not_found_and_no_print_is_recorded(app, world):
    org, audit_id = world
    with app.test_request_context():
        for render in (audit_plan_pdf, audit_report_pdf):
            with pytest.raises(NotFound):
                render(db.session, user(org.outsider_id), audit_id)
        db.session.rollback()
    assert trail_events(app, "audit:print_plan") == []
    assert trail_events(app, "audit:print_report") == []


@pytest.mark.sql
def test_the_pdf_routes_serve_those_concerned_and_hide_the_audit_from_others(app, world):
    _org, audit_id = world
    sara, pedro = app.test_client(), app.test_client()
    assert login(sara, "sara").status_code == 302 and login(pedro, "pedro").status_code == 302
    for kind in ("plan", "report"):
        response = sara.get(f"/audits/{audit_id}/{kind}.pdf")
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")
        assert pedro.get(f"/audits/{audit_id}/{kind}.pdf").status_code == 404
    assert len(trail_events(app, "audit:print_plan")) == 1
    assert len(trail_events(app, "audit:print_report")) == 1
