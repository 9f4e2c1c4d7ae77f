"""Each demo role signs in and finds its own work on the home ("Mi trabajo"), in Chromium:
the quality lead the version to review and the overdue action to follow up, the process owner
their overdue corrective action first, the auditor the audits whose plans they send, staff the
audit of their process, and the general manager a home that says nothing is pending."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.audits.models import Audit, AuditState
from qms.capa.models import CapaAction
from qms.core.db import db
from qms.demo import build_demo
from qms.documents import approval
from qms.users import services as users
from tests.e2e.test_block_editor import sign_in
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# The card that must come first (it holds something overdue), by role.
FIRST_CARD = {"lider": "capa"}


def _user_id(username: str) -> int:
    found = users.find_user(db.session, username)
    assert found is not None
    return found.id


def _demo(app: Flask) -> tuple[dict[str, dict[str, list[str]]], str]:
    """Build the demo and give its people the test password; return the codes each role must
    find on each card, and the code of the nonconformity whose action is overdue."""
    today = approval.today()
    with app.app_context():
        for username, _password, _role in build_demo(db.session):
            users.set_password(
                db.session, None, _user_id(username), PASSWORD, bypass_permission=True
            )
        db.session.commit()
        overdue = db.session.scalars(
            sa.select(CapaAction).where(CapaAction.due_on < today, CapaAction.status != "done")
        ).one()
        overdue_code = overdue.nonconformity.code
        led = db.session.scalars(
            sa.select(Audit.code).where(
                Audit.lead_auditor_id == _user_id("auditor"), Audit.state == AuditState.PLANNED
            )
        ).all()
        running = db.session.scalars(
            sa.select(Audit.code).where(Audit.state == AuditState.IN_PROGRESS)
        ).one()
    assert len(led) >= 4  # the auditor sends the plans of the year's coming audits
    expected = {
        "calidad": {"to-sign": ["CL-CR-01"], "capa": [overdue_code]},
        "gerente": {},
        "lider": {"capa": [overdue_code], "audits": [running]},
        "auditor": {"audits": [*led, running]},
        "colaborador": {"audits": [running]},
    }
    return expected, overdue_code


def test_each_demo_role_finds_its_work_on_the_home(app: Flask, live_server: str, page: Any):
    expected, overdue_code = _demo(app)
    for username, wanted in expected.items():
        sign_in(page, live_server, username)
        page.wait_for_url(re.compile(r"/dashboard$"))
        for card, codes in wanted.items():
            text = page.locator(f"section#{card}").inner_text()
            missing = [code for code in codes if code not in text]
            assert not missing, f"{username}: {missing} not on the {card} card"
        if username in FIRST_CARD:
            first = page.locator(".my-work > section.card").first.get_attribute("id")
            assert first == FIRST_CARD[username], username
        if overdue_code in wanted.get("capa", []):
            overdue = page.locator("section#capa li.overdue").first.inner_text()
            assert overdue_code in overdue, username
        items = page.locator(".my-work li").count()
        badge = page.locator(".pending-work .badge")
        if items:
            assert badge.inner_text() == str(items), username
        else:
            assert badge.count() == 0, username
            # Nothing to do: the cards that apply say so (the approver signs, owns actions).
            assert page.locator("section#to-sign p.muted").count() == 1
            assert page.locator("section#pqrs").count() == 0
        with page.expect_navigation():
            page.locator("form[action$='/logout'] [type=submit]").click()
    assert page.problems.items == []
