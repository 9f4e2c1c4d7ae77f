"""What a buyer notices: no internal key on screen, one word per state, empty lists that say
what to do next. The demo organisation is built once for the module and read in Spanish."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.audits.models import Audit
from qms.capa.models import Nonconformity
from qms.capa.pqrs_models import PqrsRequest
from qms.core.db import db
from qms.documents.block_kinds import KINDS
from qms.documents.master_list import STATE_LABELS as MASTER_LIST_LABELS
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.documents.state_labels import (
    VERSION_STATE_LABELS,
    version_state_label,
    version_state_mark,
)
from qms.printing.stamp import status_mark
from tests.demo_app import demo_app
from tests.helpers import login

LOGINS = re.compile(r"^(\S+)\s+(\S+)\s+(\w+)$", re.MULTILINE)
SNAKE = re.compile(r"(?<![\w@./:-])[a-z]+(?:_[a-z]+)+(?![\w@/-])")
WORD = re.compile(r"(?<![\w@./:-])[a-z]+(?![\w@/-])")
# Keys that are English words nobody writes in a Spanish sentence: block kinds, version states.
SINGLE_KEYS = set(KINDS) - {"text", "table"} | {str(s) for s in VersionState}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Flask]:
    with demo_app(tmp_path_factory.mktemp("polish"), migrated_sqlite) as (app, output):
        app.config["DEMO_LOGINS"] = {
            m[0]: m[1] for m in LOGINS.findall(output) if m[0] != "username"
        }
        yield app


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, app.config["DEMO_LOGINS"][username]).status_code == 302
    return client


def _visible(page: str) -> str:
    """The text a reader sees: no scripts, styles, code samples, tags or attribute values."""
    page = re.sub(r"(?is)<(script|style|code|textarea)\b.*?</\1>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]*>", " ", page))


def _first_id(app: Flask, statement: sa.Select[tuple[int]]) -> int:
    with app.app_context():
        found = db.session.scalar(statement.limit(1))
        assert found is not None
        return found


def test_main_pages_show_no_internal_key_in_spanish(demo: Flask) -> None:
    superseded = sa.select(DocumentVersion.id).where(
        DocumentVersion.state == VersionState.SUPERSEDED
    )
    pages = [
        "/documents/",
        f"/documents/{_first_id(demo, sa.select(Document.id).order_by(Document.id))}",
        f"/documents/versions/{_first_id(demo, superseded)}",
        "/master-list/",
        "/document-types/",
        "/nonconformities/",
        f"/nonconformities/{_first_id(demo, sa.select(Nonconformity.id))}",
        "/pqrs",
        f"/pqrs/{_first_id(demo, sa.select(PqrsRequest.id))}",
        "/audits",
        f"/audits/{_first_id(demo, sa.select(Audit.id))}",
        "/change-requests/",
    ]
    client = _signed_in(demo, "calidad")
    problems = []
    for url in pages:
        response = client.get(url, headers={"Accept-Language": "es"})
        assert response.status_code == 200, url
        text = _visible(response.get_data(as_text=True))
        raw = set(SNAKE.findall(text)) | (set(WORD.findall(text)) & SINGLE_KEYS)
        problems += [f"{url}: {key}" for key in sorted(raw)]
    assert problems == []


def test_each_version_state_has_one_word_everywhere(demo: Flask) -> None:
    with demo.test_request_context():
        for state, label in VERSION_STATE_LABELS.items():
            assert version_state_label(state) == str(label)
            assert version_state_mark(state) == str(label).upper()
        for state, label in MASTER_LIST_LABELS.items():
            assert str(label) == version_state_label(state)
        # The stamp on a printed copy is the word of the page, in capitals.
        assert status_mark(VersionState.SUPERSEDED) == version_state_mark("superseded")
        assert status_mark(VersionState.OBSOLETE) == version_state_mark("obsolete")
        superseded, obsolete = version_state_mark("superseded"), version_state_mark("obsolete")
        assert superseded != obsolete
    version_id = _first_id(
        demo, sa.select(DocumentVersion.id).where(DocumentVersion.state == "superseded")
    )
    page = _signed_in(demo, "calidad").get(f"/documents/versions/{version_id}")
    text = _visible(page.get_data(as_text=True))
    assert superseded in text and obsolete not in text


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/documents/", "/documents/new"),
        ("/nonconformities/", "/nonconformities/new"),
        ("/pqrs", "/pqrs/new"),
        ("/audits", "/audits/programme"),
        ("/change-requests/", None),
    ],
)
def test_empty_lists_say_what_to_do_next(client_as, path: str, action: str | None) -> None:
    page = client_as("quality_lead").get(path).get_data(as_text=True)
    empty = re.findall(r'(?s)<div class="empty-state".*?</div>', page)[0]  # the reader's own
    sentences = [s for s in re.split(r"[.:]\s", _visible(empty)) if s.strip()]
    assert len(sentences) >= 2  # what is missing, and the next step
    if action is not None:
        assert f'href="{action}' in empty

    filtered = client_as("quality_lead").get(f"{path}?state=closed&q=zzz").get_data(as_text=True)
    empty = re.findall(r'(?s)<div class="empty-state".*?</div>', filtered)[0]
    assert "Clear filters" not in empty and 'class="button"' in empty  # Spanish, and a way back


def test_an_empty_list_offers_no_action_the_reader_may_not_take(client_as) -> None:
    page = client_as("staff").get("/documents/").get_data(as_text=True)
    [empty] = re.findall(r'(?s)<div class="empty-state".*?</div>', page)
    assert "/documents/new" not in empty and "href" not in empty


def test_getting_started_says_who_does_what_and_links_real_pages(client_as) -> None:
    client = client_as("process_owner")
    home = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/getting-started"' in home  # from the footer of every page
    page = client.get("/getting-started")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('class="guide-item') == 6 and text.count('class="guide-item mine"') == 1
    for href in re.findall(r'<a class="button" href="([^"]+)"', text):
        assert client.get(href).status_code == 200, href  # never a refusal
    assert client_as("staff").get("/getting-started").status_code == 200
