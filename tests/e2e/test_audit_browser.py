"""The auditor's work in a real browser: a tablet-like checklist answered by taps, each answer
saved on its own through audit_checklist.js without reloading the page, kept and sent again
after the connection drops; then a finding and its nonconformity, which links back.

The audit (plan, checklist, notified, started) is made with the services."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.audits import checklist
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit
from qms.core.db import db
from qms.users.models import User
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import PASSWORD, trail_events

pytestmark = [pytest.mark.browser]


@pytest.fixture
def audit(app: Flask) -> tuple[int, list[int]]:
    org = build_audit_org(app)
    audit_id = planned_audit(app, org, programme_for(app, org))
    with app.app_context():
        # English pages, so that the assertions hold once the lead translates the messages.
        db.session.execute(sa.update(User).values(locale="en"))
        jorge = user(org.auditor_id)
        checklist.generate_checklist(db.session, jorge, audit_id)
        WORKFLOW.apply(db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, jorge)
        audits.start_audit(db.session, jorge, audit_id)
        db.session.commit()
        questions = [q.id for q in db.session.get(Audit, audit_id).questions]
    return audit_id, questions


def _answers(app: Flask, audit_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [(q.answer, q.notes) for q in db.session.get(Audit, audit_id).questions]


def _saved(page: Any, question_id: int) -> None:
    page.locator(f"#q-{question_id} .save-status.is-saved").wait_for()


def test_the_auditor_answers_by_taps_records_a_finding_and_opens_its_nonconformity(
    app: Flask, live_server: str, page: Any, audit: tuple[int, list[int]]
) -> None:
    audit_id, (first, second) = audit
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "jorge")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] [type=submit]").click()
    checklist_url = f"{live_server}/audits/{audit_id}/checklist"
    page.goto(checklist_url)
    page.evaluate("window.notReloaded = true")

    # A tap on "conforming" saves at once.
    page.locator(f"#q-{first} label.choice-conforming").click()
    _saved(page, first)
    # "Not conforming" waits for the notes, then the save button sends it.
    page.locator(f"#q-{second} label.choice-nonconforming").click()
    assert "is-error" in page.locator(f"#q-{second} .save-status").get_attribute("class")
    page.fill(f"#q-{second} textarea[name=notes]", "PQRS 2026-118 respondida en 22 días.")
    page.locator(f"#q-{second} form.answer-form [type=submit]").click()
    _saved(page, second)
    assert page.evaluate("window.notReloaded") is True
    assert page.locator("#answered-count").inner_text() == "2"
    assert _answers(app, audit_id) == [
        ("conforming", ""),
        ("nonconforming", "PQRS 2026-118 respondida en 22 días."),
    ]
    assert len(trail_events(app, "audit:answer")) == 2

    # The connection drops: the answer is kept on the tablet and sent when it comes back.
    page.context.set_offline(True)
    page.locator(f"#q-{first} label.choice-not_applicable").click()
    page.locator(f"#q-{first} .save-status.is-pending").wait_for()
    stored = page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
    assert any(str(first) in json.loads(value) for value in json.loads(stored).values())
    assert page.locator("#checklist-pending").is_visible()
    page.context.set_offline(False)
    _saved(page, first)
    assert page.evaluate("window.localStorage.length") == 0
    assert page.locator("#checklist-pending").is_hidden()
    assert _answers(app, audit_id)[0] == ("not_applicable", "")
    assert page.evaluate("window.notReloaded") is True

    # Reloading shows the answers the server kept.
    page.reload()
    assert page.is_checked(f"#q-{first} input[name=answer][value=not_applicable]")
    assert page.is_checked(f"#q-{second} input[name=answer][value=nonconforming]")
    assert "22 días" in page.input_value(f"#q-{second} textarea[name=notes]")

    # A finding from the second question, then its nonconformity.
    page.goto(f"{live_server}/audits/{audit_id}")
    page.locator("details.add-finding > summary").click()
    form = "form[action$='/findings']"
    page.select_option(f"{form} select[name=grade]", "minor_nc")
    page.select_option(f"{form} select[name=process_id]", index=1)
    page.select_option(f"{form} select[name=question_id]", str(second))
    page.fill(f"{form} textarea[name=criterion]", "Ley 1755 de 2015: 15 días hábiles.")
    page.fill(f"{form} textarea[name=evidence]", "PQRS 2026-118 respondida en 22 días.")
    page.fill(f"{form} textarea[name=statement]", "Las quejas se responden fuera de término.")
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").click()
    assert page.locator("#finding-1").is_visible()
    with page.expect_navigation():
        page.locator("#finding-1 form.open-nc [type=submit]").click()
    page.wait_for_url(re.compile(r"/nonconformities/\d+$"))
    back = page.locator(f"a[href='/audits/{audit_id}#finding-1']")
    assert back.count() == 1
    with page.expect_navigation():
        back.click()
    assert page.locator("#finding-1 a[href^='/nonconformities/']").count() == 1
    problems = [p for p in page.problems.items if "INTERNET_DISCONNECTED" not in p]
    assert problems == []
