"""The signing pages show the version as the document page and the printed copy do (the same
block renderer), never raw Markdown or blocks as JSON with escaped accents."""

from __future__ import annotations

import pytest
from flask import Flask

from qms.core.db import db
from qms.documents.authoring import update_draft
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.signing_helpers import in_approval, open_page, signed_in

CONTENT = [
    {"kind": "text", "text": "**Objetivo:** Evaluación del desempeño."},
    {"kind": "sipoc", "rows": [{"phase": "verificar", "activity": "Medir la satisfacción"}]},
    {"kind": "requirements", "iso": ["9.1.2"]},
]


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def _draft(app: Flask, org: Org) -> int:
    _, version_id = new_document(app, org)
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, content=CONTENT)
        db.session.commit()
    return version_id


def _section(html: str) -> str:
    """From the content's heading to the signature form."""
    return html.split('id="content-title"', 1)[1].split('id="sign-form"', 1)[0]


def test_the_submit_page_shows_the_rendered_version(app, org):
    version_id = _draft(app, org)
    owner = signed_in(app, "olga")
    page = owner.get(f"/documents/versions/{version_id}/submit").get_data(as_text=True)
    shown = _section(page)
    assert "La versión que firma: AC-PR-01 v1" in shown
    assert "<strong>Objetivo:</strong> Evaluación del desempeño." in shown
    assert "Medir la satisfacción" in shown and "9.1.2" in shown
    assert "**" not in shown and "\\u00" not in shown and '"kind"' not in shown
    # The same renderer as the document page: each block's HTML appears there too.
    document_page = owner.get(f"/documents/versions/{version_id}").get_data(as_text=True)
    for fragment in (
        "<strong>Objetivo:</strong> Evaluación del desempeño.",
        "Medir la satisfacción",
    ):
        assert fragment in document_page
    # Read first, then sign: the content comes before the password field.
    assert page.index('id="content-title"') < page.index('name="password"')


def test_the_approval_page_shows_it_too(app, org):
    _, version_id = in_approval(app, org)
    page = signed_in(app, "ana").get(f"/documents/versions/{version_id}/approve")
    assert page.status_code == 200
    open_page(signed_in(app, "ana"), f"/documents/versions/{version_id}/approve")
    shown = _section(page.get_data(as_text=True))
    assert "Objetivo: responder a tiempo." in shown and "<pre" not in shown
