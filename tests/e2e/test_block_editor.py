"""A process owner edits a draft's structured blocks in the browser, with the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from qms.core.db import db
from qms.documents.models import DocumentVersion
from tests.documents_fixtures import build_org, new_document
from tests.helpers import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] [type=submit]").click()


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def add_block(page: Any, kind: str) -> None:
    page.select_option("#be-add-kind", kind)
    page.focus("#be-add-block")
    page.keyboard.press("Enter")


def test_owner_adds_a_sipoc_row_and_a_decision_step(
    app: Flask, live_server: str, page: Any
) -> None:
    org = build_org(app)
    _, version_id = new_document(app, org, text="Objetivo: responder a tiempo.")
    sign_in(page, live_server, "olga")
    page.goto(f"{live_server}/documents/versions/{version_id}/edit")
    page.wait_for_selector("#block-editor:not([hidden])")
    assert page.locator("#fallback-editor").count() == 0
    assert page.locator("#content_json").is_enabled()
    assert page.input_value("#be-0-text") == "Objetivo: responder a tiempo."

    # SIPOC: the new block's title gets the focus; Tab reaches "Add a row"; Enter adds it.
    add_block(page, "sipoc")
    assert focused_id(page) == "be-1-title"
    page.keyboard.type("Caracterización")
    page.keyboard.press("Tab")
    assert focused_id(page) == "be-1-rows-add"
    page.keyboard.press("Enter")
    assert focused_id(page) == "be-1-rows-0-phase"
    page.keyboard.press("ArrowDown")  # P → H
    for value in ["Usuarios", "PQRS", "Atender la PQRS", "Respuesta", "Ciudadanía"]:
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    assert focused_id(page) == "be-1-rows-0-clients"
    assert page.get_attribute("#be-1-rows-0-suppliers", "aria-label")

    # Steps: two steps, the second a decision pointing back to the first.
    add_block(page, "steps")
    page.keyboard.type("Actividades")
    page.keyboard.press("Tab")
    assert focused_id(page) == "be-2-steps-add"
    page.keyboard.press("Enter")
    assert focused_id(page) == "be-2-steps-0-task"
    page.keyboard.type("Recibir la PQRS")
    page.focus("#be-2-steps-add")
    page.keyboard.press("Enter")
    page.keyboard.type("¿Es competencia?")
    page.focus("#be-2-steps-1-decision")
    page.keyboard.press("Space")
    assert focused_id(page) == "be-2-steps-1-question"
    page.keyboard.type("¿Es de nuestra competencia?")
    options = page.eval_on_selector_all("#be-2-steps-1-yes option", "os => os.map(o => o.value)")
    assert options == ["", "1"]
    page.select_option("#be-2-steps-1-yes", "1")
    page.select_option("#be-2-steps-1-no", "1")

    # An empty decision target is caught before sending.
    page.focus("#be-2-steps-add")
    page.keyboard.press("Enter")
    page.focus("#be-2-steps-2-decision")
    page.keyboard.press("Space")
    page.locator("button[type=submit][value=save]").first.click()
    page.wait_for_selector("#block-editor-errors:not([hidden])")
    assert focused_id(page) == "block-editor-errors"
    page.focus("#be-2-steps-2-remove")
    page.keyboard.press("Enter")

    with page.expect_navigation():
        page.locator("button[type=submit][value=save]").first.click()
    page.wait_for_url(re.compile(rf"/documents/versions/{version_id}/edit"))
    page.wait_for_selector("#block-editor:not([hidden])")
    assert page.input_value("#be-1-rows-0-activity") == "Atender la PQRS"

    with app.app_context():
        content = db.session.get(DocumentVersion, version_id).content
    assert [block["kind"] for block in content] == ["text", "sipoc", "steps"]
    sipoc, steps = content[1], content[2]
    assert sipoc["title"] == "Caracterización"
    row = sipoc["rows"][0]
    assert (row["phase"], row["suppliers"], row["clients"]) == ("H", "Usuarios", "Ciudadanía")
    assert [s["id"] for s in steps["steps"]] == ["1", "2"]
    assert steps["steps"][0]["task"] == "Recibir la PQRS"
    assert steps["steps"][1]["decision"] == {
        "question": "¿Es de nuestra competencia?",
        "yes": "1",
        "no": "1",
    }
    assert page.problems.items == []


def test_blocks_move_and_remove_with_focus_kept(app: Flask, live_server: str, page: Any) -> None:
    org = build_org(app)
    _, version_id = new_document(app, org, text="uno")
    sign_in(page, live_server, "olga")
    page.goto(f"{live_server}/documents/versions/{version_id}/edit")
    page.wait_for_selector("#block-editor:not([hidden])")
    add_block(page, "table")
    page.keyboard.type("Roles")
    page.focus("#be-1-up")
    page.keyboard.press("Enter")
    assert focused_id(page) == "be-0-down"  # the moved block keeps the focus
    assert page.input_value("#be-0-title") == "Roles"
    page.focus("#be-1-remove")
    page.keyboard.press("Enter")
    assert focused_id(page) == "be-0-heading"
    with page.expect_navigation():
        page.locator("button[type=submit][value=save]").first.click()
    with app.app_context():
        content = db.session.get(DocumentVersion, version_id).content
    assert content == [{"kind": "table", "title": "Roles", "columns": [""], "rows": []}]
    assert page.problems.items == []


def test_bold_from_the_toolbar_is_stored_as_markdown(
    app: Flask, live_server: str, page: Any
) -> None:
    org = build_org(app)
    _, version_id = new_document(app, org, text="Responder a tiempo.")
    sign_in(page, live_server, "olga")
    page.goto(f"{live_server}/documents/versions/{version_id}/edit")
    page.wait_for_selector("#be-0-text-fmt-bold")
    assert page.get_attribute("#be-0-text-fmt-bold", "aria-label")
    # Select "tiempo" and press Bold: the word is wrapped, the selection stays on it.
    select = "t => { const at = t.value.indexOf('tiempo'); t.setSelectionRange(at, at + 6); }"
    page.eval_on_selector("#be-0-text", select)
    page.click("#be-0-text-fmt-bold")
    assert page.input_value("#be-0-text") == "Responder a **tiempo**."
    assert focused_id(page) == "be-0-text"
    with page.expect_navigation():
        page.locator("button[type=submit][value=save]").first.click()
    with app.app_context():
        content = db.session.get(DocumentVersion, version_id).content
    assert content == [{"kind": "text", "text": "Responder a **tiempo**."}]
    assert page.problems.items == []
