"""Every demo role follows every link the demo's pages offer (GET only): no 5xx anywhere.

The demo organisation is built once for the module (`qms demo`, as a new user would) and each
role signs in with the password it printed, then walks the links breadth-first from the
dashboard. A page that answers 5xx is named with the page that linked to it.
"""

from __future__ import annotations

import html
import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.demo import USERS
from tests.demo_app import demo_app
from tests.helpers import login

LINK = re.compile(r'(?:href|src)="([^"]+)"')
LOGINS = re.compile(r"^(\S+)\s+(\S+)\s+(\w+)$", re.MULTILINE)
# Lists offer many sort and filter links to one page, and the demo many objects behind one
# route (each document, version, audit, history, PDF); a few of each show the route works, and
# the whole crawl stays affordable (every link of every object took 165 s of the suite).
PER_ROUTE = 4
# A file (PDF, Word, spreadsheet) costs a render: one of each kind per role.
PER_FILE_ROUTE = 1
FILE = re.compile(r"\.(pdf|docx|xlsx|csv)$")
ID = re.compile(r"\d+")
SKIP = ("/static/", "/logout")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Flask]:
    """The demo organisation on its own SQLite file, built once for every role."""
    with demo_app(tmp_path_factory.mktemp("crawl"), migrated_sqlite) as (app, output):
        app.config["DEMO_LOGINS"] = {
            m[0]: m[1] for m in LOGINS.findall(output) if m[0] != "username"
        }
        yield app


def _links(page: str) -> Iterator[str]:
    for raw in LINK.findall(page):
        url = html.unescape(raw).split("#", 1)[0]
        parts = urlsplit(url)
        if not url.startswith("/") or url.startswith("//") or parts.path.startswith(SKIP):
            continue
        yield url


def crawl(client: FlaskClient, start: str = "/dashboard") -> tuple[int, list[str]]:
    """(pages fetched, failures) of a breadth-first walk over the app's own links."""
    seen = {start}
    per_route: dict[str, int] = {}
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    failures, fetched = [], 0
    while queue:
        url, linked_from = queue.popleft()
        response = client.get(url)
        fetched += 1
        if response.status_code >= 500:
            failures.append(f"{url} → {response.status_code} (linked from {linked_from})")
            continue
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        for link in _links(response.get_data(as_text=True)):
            route = ID.sub("N", urlsplit(link).path)
            limit = PER_FILE_ROUTE if FILE.search(route) else PER_ROUTE
            if link in seen or per_route.get(route, 0) >= limit:
                continue
            seen.add(link)
            per_route[route] = per_route.get(route, 0) + 1
            queue.append((link, url))
    return fetched, failures


@pytest.mark.slow
@pytest.mark.parametrize("username", [u.username for u in USERS])
def test_every_link_of_the_demo_answers_without_a_server_error(demo: Flask, username: str) -> None:
    client = demo.test_client()
    assert login(client, username, demo.config["DEMO_LOGINS"][username]).status_code == 302
    fetched, failures = crawl(client)
    assert fetched > 20, f"only {fetched} pages reached as {username}"
    assert not failures, f"server errors as {username}:\n  " + "\n  ".join(failures)
