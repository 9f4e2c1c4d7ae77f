"""Clause 9.2 end to end in a real browser, each person at their own desk: the quality lead
writes the year's programme and plans an audit; the lead auditor prepares the checklist, sends
the plan, runs the audit from the checklist, records a finding, opens its nonconformity and
signs the report; the process leader accepts it; the quality lead closes the audit; the signed
report PDF (read back with pypdf) lists the nonconformity."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from pypdf import PdfReader

from qms.audits.models import Audit, AuditState
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.documents import approval
from qms.users.models import User
from tests.audits_fixtures import AuditOrg, build_audit_org
from tests.helpers import PASSWORD, trail_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def org(app: Flask) -> AuditOrg:
    built = build_audit_org(app)
    with app.app_context():
        # English pages, so that the assertions read the source messages.
        db.session.execute(sa.update(User).values(locale="en"))
        db.session.commit()
    return built


def _sign_in(page: Any, server: str, username: str) -> None:
    # Sign the previous person out for real: clearing cookies races with responses in flight
    # that set the session cookie again.
    if page.locator("form[action$='/logout']").count():
        _submit(page, "form[action$='/logout']")
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] [type=submit]").click()


def _submit(page: Any, form: str) -> None:
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").first.click()


def _audit(app: Flask) -> Audit:
    with app.app_context():
        found = db.session.scalar(sa.select(Audit))
        assert found is not None
        db.session.expunge(found)
        return found


def test_a_year_of_audits_from_programme_to_signed_report(
    app: Flask, live_server: str, page: Any, org: AuditOrg
) -> None:
    year, today = org.year, approval.today().isoformat()

    # The quality lead writes the programme and plans an audit.
    _sign_in(page, live_server, "ana")
    page.goto(f"{live_server}/audits/programme/{year}")
    form = f"form[action$='/audits/programme/{year}']"
    page.fill(f"{form} textarea[name=objectives]", "Verificar la conformidad del SGC.")
    page.fill(f"{form} textarea[name=scope]", "Todos los procesos.")
    page.fill(f"{form} textarea[name=criteria]", "ISO 9001:2015; documentos del SGC.")
    _submit(page, form)
    assert len(trail_events(app, "audit_programme:create")) == 1
    page.goto(f"{live_server}/audits/new?year={year}")
    form = "form[action*='/audits/new']"
    page.fill(f"{form} input[name=title]", "Auditoría a Atención al Cliente")
    page.fill(f"{form} textarea[name=scope]", "Atención de PQRS.")
    page.fill(f"{form} textarea[name=criteria]", "ISO 9001:2015 8.2.1; Ley 1755 de 2015.")
    page.fill(f"{form} input[name=clauses]", "8.2.1, 9.1.2")
    page.select_option(f"{form} select[name=process_ids]", [str(org.ac_id)])
    page.fill(f"{form} input[name=start_on]", today)
    page.fill(f"{form} input[name=end_on]", today)
    page.select_option(f"{form} select[name=lead_auditor_id]", str(org.auditor_id))
    page.select_option(f"{form} select[name=auditee_ids]", [str(org.leader_id), str(org.staff_id)])
    _submit(page, form)
    audit = _audit(app)
    page.wait_for_url(re.compile(rf"/audits/{audit.id}$"))
    assert len(trail_events(app, "audit:plan")) == 1

    # The lead auditor prepares the checklist, sends the plan and opens the audit.
    _sign_in(page, live_server, "jorge")
    page.goto(f"{live_server}/audits/{audit.id}/checklist")
    _submit(page, "form[action$='/checklist/generate']")
    page.goto(f"{live_server}/audits/{audit.id}")
    _submit(page, "form[action$='/notify']")
    _submit(page, "form[action$='/start']")
    assert _audit(app).state == AuditState.IN_PROGRESS

    # Every question answered from the checklist, one tap each.
    page.goto(f"{live_server}/audits/{audit.id}/checklist")
    questions = page.locator("form.answer-form[data-question]")
    count = questions.count()
    assert count == 2
    for n in range(count):
        question_id = questions.nth(n).get_attribute("data-question")
        page.locator(f"#q-{question_id} label.choice-conforming").click()
        page.locator(f"#q-{question_id} .save-status.is-saved").wait_for()
    assert page.locator("#answered-count").inner_text() == str(count)

    # A finding, its nonconformity, the report text and the lead auditor's signature.
    page.goto(f"{live_server}/audits/{audit.id}")
    page.locator("details.add-finding > summary").click()
    form = "form[action$='/findings']"
    page.select_option(f"{form} select[name=grade]", "major_nc")
    page.select_option(f"{form} select[name=process_id]", str(org.ac_id))
    page.fill(f"{form} textarea[name=criterion]", "Ley 1755 de 2015: 15 días hábiles.")
    page.fill(f"{form} textarea[name=evidence]", "PQRS 2026-118 respondida en 22 días.")
    page.fill(f"{form} textarea[name=statement]", "Quejas respondidas fuera de término.")
    _submit(page, form)
    _submit(page, "#finding-1 form.open-nc")
    page.wait_for_url(re.compile(r"/nonconformities/\d+$"))
    with app.app_context():
        nc_code = db.session.scalar(sa.select(Nonconformity.code))
    page.goto(f"{live_server}/audits/{audit.id}")
    form = "form[action$='/report']"
    page.fill(f"{form} textarea[name=conclusions]", "Conforme salvo el término de respuesta.")
    page.fill(f"{form} textarea[name=distribution]", "Gerencia; líder de AC.")
    _submit(page, form)
    page.fill("form[action$='/report/issue'] input[name=password]", PASSWORD)
    _submit(page, "form[action$='/report/issue']")
    assert _audit(app).state == AuditState.REPORT_ISSUED

    # The process leader accepts it; the quality lead closes the audit.
    _sign_in(page, live_server, "olga")
    page.goto(f"{live_server}/audits/{audit.id}")
    page.fill("form[action$='/report/accept'] input[name=password]", PASSWORD)
    _submit(page, "form[action$='/report/accept']")
    _sign_in(page, live_server, "ana")
    page.goto(f"{live_server}/audits/{audit.id}")
    _submit(page, "form[action$='/close']")
    assert _audit(app).state == AuditState.CLOSED

    # The signed report, as the quality lead downloads it.
    link = page.locator("a[href$='/report.pdf']")
    response = page.context.request.get(f"{live_server}{link.get_attribute('href')}")
    assert response.status == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    text = " ".join(text.split())
    for expected in (audit.code, nc_code, "Quejas respondidas fuera de término", "Jorge"):
        assert expected in text, expected
    assert "DRAFT" not in text
    assert [e.action for e in trail_events(app, "audit:close")] == ["audit:close"]
    assert page.problems.items == []
