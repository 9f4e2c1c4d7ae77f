"""A trail people can read: actions in words, changed fields with their values, pages, each
object's timeline (who may see it) and its PDF and CSV exports for an audit file."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_babel import gettext as _
from pypdf import PdfReader

from qms.core.db import db
from qms.core.spreadsheets import BOM
from qms.documents import authoring
from qms.documents.models import VersionState
from qms.documents.sign_forms import STATE_LABELS
from qms.trail import services as trail
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import login, trail_events

ROW_RE = re.compile(r"<tr>\s*<td>(\d+)</td>")


@dataclass
class Story:
    org: Org
    document_id: int
    first_id: int
    second_id: int


@pytest.fixture
def story(app: Flask) -> Story:
    """A procedure approved twice: version 1, then version 2."""
    org = build_org(app)
    document_id, first_id = new_document(app, org)
    through_approval(app, org, first_id)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session, user(org.owner_id), draft.id, change_summary="Plazos de respuesta."
        )
        db.session.commit()
        second_id = draft.id
    through_approval(app, org, second_id)
    return Story(org, document_id, first_id, second_id)


def _words(app: Flask, text: str, **values: object) -> str:
    with app.test_request_context():
        return _(text, **values)


def _as(app: Flask, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_an_approval_reads_in_words_with_the_changed_fields(
    app: Flask, story: Story, client_as
) -> None:
    html = client_as("auditor").get(f"/trail/document/{story.document_id}").get_data(as_text=True)
    approved_2 = _words(app, "approved version %(number)s", number=2)
    approved_1 = _words(app, "approved version %(number)s", number=1)
    assert approved_2 in html and approved_1 in html  # the document's versions are in it
    with app.test_request_context():
        before = str(STATE_LABELS[VersionState.IN_APPROVAL])
        after = str(STATE_LABELS[VersionState.APPROVED])
    assert re.search(
        rf'class="old">{re.escape(before)}</span>.*?class="new">{re.escape(after)}</span>',
        html,
        re.S,
    )
    assert '"state"' not in html and "document:approve</" not in html  # no raw JSON or keys
    assert html.index(approved_2) < html.index(approved_1)  # newest first
    trail_page = client_as("auditor").get("/trail/?action=document:approve").get_data(as_text=True)
    assert approved_2 in trail_page and f"/trail/version/{story.second_id}" in trail_page


def test_who_may_read_a_history(app: Flask, story: Story, client_as) -> None:
    staff = _as(app, "sara")
    # Staff see the document in force, but neither read the trail nor own the document.
    assert staff.get(f"/documents/{story.document_id}").status_code == 200
    assert staff.get(f"/trail/document/{story.document_id}").status_code == 403
    page = staff.get(f"/documents/{story.document_id}").get_data(as_text=True)
    assert f'href="/trail/document/{story.document_id}"' not in page  # no link to a refusal
    # A draft-only document is hidden from staff: its history is not found either.
    hidden_id, _draft = new_document(app, story.org, title="Borrador reservado")
    assert staff.get(f"/trail/document/{hidden_id}").status_code == 404
    assert staff.get(f"/trail/document/{hidden_id}/history.pdf").status_code == 404
    auditor = client_as("auditor")
    page = auditor.get(f"/documents/{story.document_id}").get_data(as_text=True)
    assert f'href="/trail/document/{story.document_id}"' in page
    # The process owner owns it; the auditor reads the trail: both see it, linked from the page.
    for client in (_as(app, "olga"), client_as("auditor")):
        page = client.get(f"/documents/versions/{story.first_id}").get_data(as_text=True)
        assert f'href="/trail/version/{story.first_id}"' in page
        assert client.get(f"/trail/document/{story.document_id}").status_code == 200
        assert client.get(f"/trail/version/{story.first_id}").status_code == 200


def test_pages_are_bounded_and_linked(app: Flask, client_as) -> None:
    client = client_as("auditor")
    with app.app_context():
        for n in range(60):
            trail.record(db.session, "thing:update", "thing", str(n))  # type: ignore[arg-type]
        db.session.commit()
    total = len(trail_events(app))
    first = client.get("/trail/?per=25").get_data(as_text=True)
    assert [int(s) for s in ROW_RE.findall(first)] == list(range(total, total - 25, -1))
    assert 'href="/trail/?page=3&amp;per=25"' in first and 'aria-current="page"' in first
    third = client.get("/trail/?per=25&page=3").get_data(as_text=True)
    assert [int(s) for s in ROW_RE.findall(third)] == list(range(total - 50, 0, -1))
    unbounded = client.get("/trail/?per=100000").get_data(as_text=True)
    assert len(ROW_RE.findall(unbounded)) == 50  # an unknown size is the default one
    # A page far past the end is an empty page, not an OFFSET the database cannot hold.
    beyond = client.get("/trail/?page=99999999999999999999")
    assert beyond.status_code == 200 and ROW_RE.findall(beyond.get_data(as_text=True)) == []
    # An action without a phrase still reads as words, never as its key.
    generic = _words(app, "recorded an event (%(object)s)", object=_words(app, "Record"))
    assert f'<span class="sentence" title="thing:update">{generic}</span>' in first


def test_history_pdf_reads_in_words_and_is_recorded(app: Flask, story: Story) -> None:
    client = _as(app, "ana")
    response = client.get(f"/trail/document/{story.document_id}/history.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages
    )
    assert _words(app, "approved version %(number)s", number=2) in text
    assert (
        _words(app, "started version %(number)s from version %(based_on)s", number=2, based_on=1)
        in text
    )
    exports = trail_events(app, "trail:export_history")
    assert [(e.object_type, e.object_id, e.actor_name) for e in exports] == [
        ("document", str(story.document_id), "ana")
    ]
    assert '"format":"PDF"' in exports[0].after


def test_history_csv_has_a_row_per_event_and_is_recorded(app: Flask, story: Story) -> None:
    ids = {str(story.first_id), str(story.second_id)}
    expected = [
        e.seq
        for e in trail_events(app)
        if (e.object_type, e.object_id) == ("document", str(story.document_id))
        or (e.object_type == "document_version" and e.object_id in ids)
    ]
    response = _as(app, "olga").get(f"/trail/document/{story.document_id}/history.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    header, body = rows[0], rows[1:]
    assert [int(r[0]) for r in body] == expected  # oldest first, every event
    what = header.index(_words(app, "What was done"))
    assert _words(app, "approved version %(number)s", number=2) in [r[what] for r in body]
    exports = trail_events(app, "trail:export_history")
    assert len(exports) == 1 and exports[0].actor_name == "olga"
    history = _as(app, "olga").get(f"/trail/document/{story.document_id}").get_data(as_text=True)
    assert _words(app, "exported this history (%(format)s)", format="CSV") in history
