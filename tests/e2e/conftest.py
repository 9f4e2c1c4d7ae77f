"""Browser tests: the app on a live local server, driven by Debian's Chromium via Playwright.

Never `playwright install` (browser downloads are not possible here): the system Chromium at
/usr/bin/chromium is launched directly. Missing, it skips locally and fails under CI=true.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.helpers import skip_or_fail

CHROMIUM = Path(os.environ.get("QMS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app (its own SQLite file) served on 127.0.0.1 and a free port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        skip_or_fail("Browser", f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - the test extra installs it
        skip_or_fail("Browser", f"playwright is not installed: {error}")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


class PageProblems:
    """Console errors, page errors, CSP violations and failed requests seen by a page."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def console(self, message: Any) -> None:
        if message.type in ("error", "warning") and (
            message.type == "error" or "Content Security Policy" in message.text
        ):
            self.items.append(f"console {message.type}: {message.text}")

    def page_error(self, error: Any) -> None:
        self.items.append(f"page error: {error}")

    def request_failed(self, request: Any) -> None:
        # A load the browser cancels because the page navigated away (a submit while the
        # favicon is still in flight) is not a failure of the app.
        if "ERR_ABORTED" in str(request.failure):
            return
        self.items.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    problems = PageProblems()
    tab.on("console", problems.console)
    tab.on("pageerror", problems.page_error)
    tab.on("requestfailed", problems.request_failed)
    tab.problems = problems
    try:
        yield tab
    finally:
        context.close()
