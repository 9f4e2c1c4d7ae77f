"""A person signs in through the real login page, sees the dashboard, signs out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.helpers import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FULL_NAME = "Ana María Gómez"
DEFAULT_BACKGROUNDS = {"rgba(0, 0, 0, 0)", "transparent"}


def _sign_in(page: Any, base: str, username: str, password: str) -> Any:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation() as navigation:
        page.locator("form[action$='/login'] [type=submit]").click()
    return navigation.value


def test_sign_in_see_dashboard_sign_out(
    app: Flask, live_server: str, page: Any, tmp_path: Path
) -> None:
    make_user(app, "ana", ["quality_lead"], full_name=FULL_NAME)
    stylesheets: list[int] = []
    page.on(
        "response",
        lambda r: stylesheets.append(r.status) if r.url.endswith(".css") else None,
    )

    _sign_in(page, live_server, "ana", PASSWORD)
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert FULL_NAME in page.content()

    # Our own stylesheet loaded under the CSP: the top bar is styled, not the browser default.
    assert stylesheets and all(status in (200, 304) for status in stylesheets), stylesheets
    background = page.eval_on_selector(".topbar", "el => getComputedStyle(el).backgroundColor")
    assert background not in DEFAULT_BACKGROUNDS, background
    display = page.eval_on_selector(".topbar", "el => getComputedStyle(el).display")
    assert display == "flex"

    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000

    with page.expect_navigation():
        page.locator("form[action$='/logout'] [type=submit]").click()
    page.wait_for_url(re.compile(r"/login(\?.*)?$"))
    assert page.locator("input[name=password]").is_visible()

    # Back does not show the dashboard again (no-store), and a reload lands on the login page.
    page.go_back(wait_until="load")
    page.wait_for_load_state("load")
    assert FULL_NAME not in page.content()
    page.reload(wait_until="load")
    page.wait_for_url(re.compile(r"/login(\?.*)?$"))
    assert FULL_NAME not in page.content()

    assert page.problems.items == []


def test_wrong_password_shows_the_error(app: Flask, live_server: str, page: Any) -> None:
    make_user(app, "ana", ["staff"], full_name=FULL_NAME)
    response = _sign_in(page, live_server, "ana", "not-the-password")
    assert response is not None and response.status == 401
    alert = page.locator("[role=alert]")
    assert alert.is_visible()
    assert alert.inner_text().strip()
    assert re.search(r"/login(\?.*)?$", page.url)
    assert FULL_NAME not in page.content()
    # The page answered 401 on purpose; the console reports that as a failed resource load.
    assert [p for p in page.problems.items if "401" not in p] == []


def test_phone_width_folds_the_menu_behind_its_button(
    app: Flask, live_server: str, browser: Any
) -> None:
    make_user(app, "ana", ["quality_lead"], full_name=FULL_NAME)
    context = browser.new_context(locale="es-CO", viewport={"width": 375, "height": 740})
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _sign_in(page, live_server, "ana", PASSWORD)
        page.wait_for_url(re.compile(r"/dashboard$"))
        toggle = page.locator(".menu-toggle")
        assert toggle.is_visible() and not page.locator("#mainnav").is_visible()
        assert toggle.get_attribute("aria-expanded") == "false"
        toggle.click()
        assert page.locator("#mainnav").is_visible()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.url.endswith("/dashboard")  # the script opened it, not a jump to #mainnav
        # A list wider than the phone says that it scrolls sideways.
        page.goto(f"{live_server}/admin/users/")
        assert page.locator(".scroll-hint").first.is_visible()
        assert errors == []
    finally:
        context.close()
