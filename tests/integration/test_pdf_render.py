"""Base PDFs: rendered in the sandbox from the print template, cached once per layout."""

from __future__ import annotations

import re
import time
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import update_draft
from qms.documents.models import DocumentVersion
from qms.printing import render
from qms.printing.models import PdfRendition
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD

ROWS = [[f"Proveedor {i}", f"Actividad de atención {i}", f"Cliente {i}"] for i in range(1, 41)]
CONTENT = [
    {"kind": "text", "text": "**Objetivo:** atención oportuna y eficaz."},
    {
        "kind": "table",
        "title": "SIPOC",
        "columns": ["Proveedor", "Actividad", "Cliente"],
        "rows": ROWS,
    },
]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
def effective(app):
    org = build_org(app)
    _, version_id = new_document(
        app, org, title="Caracterización Atención al Cliente", key="characterization"
    )
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, content=CONTENT)
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return org, version_id


def _base(app, version_id, size="A4"):
    with app.test_request_context():
        version = db.session.get(DocumentVersion, version_id)
        started = time.perf_counter()
        data, rendition = render.ensure_base_pdf(
            db.session, app.extensions["qms_store"], version, size
        )
        elapsed = time.perf_counter() - started
        db.session.commit()
        return data, rendition is not None, elapsed


@pytest.mark.slow
@pytest.mark.sandbox  # the app's own path: the child process, then the cache
def test_base_pdf_holds_header_signatures_history_and_every_row(app, effective):
    _, version_id = effective
    pdf, cached, first = _base(app, version_id)
    text = _text(pdf)
    assert "CR-01" in text and "Caracterización Atención al Cliente" in text
    assert "Atención al Cliente" in text and "PÁGINA" in text and re.search(r"\b1 de \d+", text)
    for row in ROWS:
        assert f"{row[0]} {row[1]} {row[2]}" in text.replace("\n", " ")
    assert "Elaboró" in text and "Aprobó" in text and "Líder de Calidad" in text
    assert "Historial de versiones" in text or "Version history" in text
    # Again: served from the cache, no second render.
    again, cached, second = _base(app, version_id)
    assert again == pdf and cached and second < first / 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PdfRendition.id))) == 1


@pytest.mark.slow
def test_letter_is_its_own_rendition(app, effective):
    _, version_id = effective
    a4, _, _ = _base(app, version_id, "A4")
    letter, _, _ = _base(app, version_id, "Letter")
    width = float(PdfReader(BytesIO(letter)).pages[0].mediabox.width)
    assert (
        round(width) == 612 and round(float(PdfReader(BytesIO(a4)).pages[0].mediabox.width)) == 595
    )
    with app.app_context():
        sizes = db.session.scalars(sa.select(PdfRendition.page_size)).all()
        assert sorted(sizes) == ["A4", "Letter"]


@pytest.mark.slow
def test_render_after_commit_caches_the_approved_version(app, effective):
    _, version_id = effective
    render.render_after_commit(app, version_id)
    with app.app_context():
        [rendition] = db.session.scalars(sa.select(PdfRendition)).all()
        assert rendition.version_id == version_id and rendition.pages >= 1
        assert rendition.template_version == render.TEMPLATE_VERSION


def test_a_draft_is_never_cached(app):
    org = build_org(app)
    _, version_id = new_document(app, org)
    pdf, cached, _ = _base(app, version_id)
    assert not cached and "Objetivo: responder a tiempo." in _text(pdf)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PdfRendition.id))) == 0


def test_a_kind_without_a_page_renderer_prints_as_a_plain_escaped_listing():
    html = render.print_block(
        {"kind": "gauges", "rows": [{"name": "Oportunidad <PQRS>", "target": "≥ 95 %"}]}
    )
    assert "<table>" in html and "Oportunidad &lt;PQRS&gt;" in html and "≥ 95 %" in html
