"""A version written to .docx reads back with its header, blocks, signatures and history."""

from __future__ import annotations

from io import BytesIO
from itertools import pairwise

import pytest
from docx import Document as read_docx
from docx.document import Document as Docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from flask import Flask

from qms.core.db import db, utcnow
from qms.core.errors import NotFound
from qms.core.timefmt import format_day
from qms.documents import authoring
from qms.documents.block_kinds import KINDS
from qms.documents.models import DocumentVersion
from qms.word.writing import version_docx
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import trail_events

TEXT = """# Objetivo

Responder **a tiempo** y con *cuidado*.

## Alcance

- Quejas
- Reclamos

1. Recibir
2. Responder
"""
SIPOC = {
    "kind": "sipoc",
    "title": "SIPOC del proceso",
    "rows": [
        {
            "phase": "H",
            "suppliers": "Cliente",
            "inputs": "PQRS",
            "activity": "Atender la PQRS",
            "outputs": "Respuesta",
            "clients": "Cliente",
        }
    ],
}
STEPS = {
    "kind": "steps",
    "title": "Actividades",
    "steps": [
        {"id": "1", "task": "Recibir la PQRS", "who": "Auxiliar", "form_code": "fo-1"},
        {"id": "2", "task": "Responder", "who": "Líder"},
    ],
}
TABLE = {
    "kind": "table",
    "title": "Tiempos",
    "columns": ["Tipo", "Días"],
    "rows": [["Queja", "15"]],
}
SIGNED = ["Elaboró", "Revisó", "Aprobó"]
CONTENT = [{"kind": "text", "text": TEXT}, SIPOC, STEPS, TABLE]


def _effective_twice(app: Flask) -> tuple[Org, int, int]:
    """Version 1 (one text block) superseded by version 2 (every kind above), both signed."""
    org = build_org(app)
    document_id, first = new_document(app, org)
    through_approval(app, org, first)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session,
            user(org.owner_id),
            draft.id,
            content=CONTENT,
            change_summary="Se añade el SIPOC",
        )
        db.session.commit()
        second = draft.id
    through_approval(app, org, second)
    return org, first, second


def _export(app: Flask, user_id: int, version_id: int) -> tuple[str, Docx]:
    with app.test_request_context():
        name, data = version_docx(db.session, user(user_id), version_id)
        db.session.commit()
    return name, read_docx(BytesIO(data))


def _cells(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _table_after(word: Docx, heading: str) -> Table:
    """The table that follows the heading paragraph with this text."""
    body = list(word.iter_inner_content())
    index = next(
        i for i, item in enumerate(body) if isinstance(item, Paragraph) and item.text == heading
    )
    return next(item for item in body[index + 1 :] if isinstance(item, Table))


def test_a_version_exports_with_header_blocks_signatures_and_history(app: Flask) -> None:
    org, _first, second = _effective_twice(app)
    name, word = _export(app, org.staff_id, second)
    with app.test_request_context():
        version = db.session.get(DocumentVersion, second)
        assert version is not None
        effective = format_day(version.effective_from)
        sipoc_view = KINDS["sipoc"].table(version.content[1])
        steps_view = KINDS["steps"].table(version.content[2])
    assert name == "AC-PR-01_v2.docx"

    # The header: label cells with the value in the next cell, and real page fields.
    header = word.sections[0].header
    (head,) = header.tables
    pairs = {}
    for row in _cells(head):
        for label, value in pairwise(row):
            pairs.setdefault(label, value)
    assert pairs["Código"] == "AC-PR-01"
    assert pairs["Versión"] == "2"
    assert pairs["Vigente desde"] == effective and effective.count("/") == 2
    assert pairs["Proceso"] == "Atención al Cliente"
    assert pairs["Título"] == "Atención de PQRS"
    header_xml = header._element.xml
    assert 'w:instr=" PAGE "' in header_xml and 'w:instr=" NUMPAGES "' in header_xml
    assert "Página" in "".join(header._element.itertext())
    # Every table spans the text width (LibreOffice draws one without widths at a fraction of
    # the page, words broken inside narrow cells).
    for table in [head, *word.tables]:
        preferred = table._tbl.tblPr.find(qn("w:tblW"))
        assert (preferred.get(qn("w:type")), preferred.get(qn("w:w"))) == ("pct", "5000")

    # Text Markdown: headings, bold and italic runs, list paragraphs.
    paragraphs = word.paragraphs
    styles = {p.text: p.style.name for p in paragraphs if p.style is not None}
    assert styles["Objetivo"] == "Heading 1" and styles["Alcance"] == "Heading 2"
    assert styles["Quejas"] == "List Bullet" and styles["Reclamos"] == "List Bullet"
    assert styles["Recibir"] == "List Number"
    sentence = next(p for p in paragraphs if p.text == "Responder a tiempo y con cuidado.")
    assert [r.text for r in sentence.runs if r.bold] == ["a tiempo"]
    assert [r.text for r in sentence.runs if r.italic] == ["cuidado"]

    # Structured blocks: a heading with the title, then the kind's own table view.
    for title, view in (("SIPOC del proceso", sipoc_view), ("Actividades", steps_view)):
        table = _table_after(word, title)
        assert _cells(table) == [view["columns"], *view["rows"]]
        header_row = table.rows[0]
        assert header_row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        assert all(run.bold for cell in header_row.cells for run in cell.paragraphs[0].runs)
    sipoc = _cells(_table_after(word, "SIPOC del proceso"))
    assert sipoc[0][:2] == ["Fase", "Proveedores"] and sipoc[1][0] == "Hacer"
    assert _cells(_table_after(word, "Tiempos")) == [["Tipo", "Días"], ["Queja", "15"]]

    # Signatures of the last round: names and the job titles they signed with.
    (signatures,) = [_cells(t) for t in word.tables if _cells(t)[0][1:] == SIGNED]
    assert signatures[1] == ["Nombre", "Olga", "Raul", "Ana"]
    assert signatures[2] == ["Cargo", "Jefe de Atención", "Coordinador", "Líder de Calidad"]
    assert signatures[3][0] == "Fecha" and all(day.count("/") == 2 for day in signatures[3][1:])

    # The history, as the reader may see it (staff: the version in force only).
    history = _cells(_table_after(word, "Historial de versiones"))
    assert history[0] == [
        "Versión",
        "Fecha",
        "Descripción del cambio",
        "Elaboró",
        "Revisó",
        "Aprobó",
    ]
    assert [row[0] for row in history[1:]] == ["2"]
    assert history[1][1:4] == [effective, "Se añade el SIPOC", "Olga — Jefe de Atención"]

    (event,) = trail_events(app, "document:export")
    assert event.object_id == str(second)


def test_the_history_lists_the_versions_up_to_the_exported_one(app: Flask) -> None:
    org, first, second = _effective_twice(app)
    _name, word = _export(app, org.approver_id, second)
    history = _cells(_table_after(word, "Historial de versiones"))
    assert [row[0] for row in history[1:]] == ["2", "1"]
    name, word = _export(app, org.approver_id, first)
    assert name == "AC-PR-01_v1.docx"
    history = _cells(_table_after(word, "Historial de versiones"))
    assert [row[0] for row in history[1:]] == ["1"]


def test_a_hidden_version_is_not_found(app: Flask) -> None:
    org, first, _second = _effective_twice(app)
    # Staff see the version in force only: the superseded one is hidden, as on its page.
    with app.test_request_context(), pytest.raises(NotFound):
        version_docx(db.session, user(org.staff_id), first)
    assert trail_events(app, "document:export") == []


def test_a_version_imported_from_word_shows_the_names_signed_on_paper(app: Flask) -> None:
    org = build_org(app)
    _document_id, version_id = new_document(app, org)
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        assert version is not None
        version.imported_at = utcnow()
        version.imported_signers = [
            {
                "meaning": "authored",
                "name": "Luz Gómez",
                "job_title": "Analista",
                "on": "2024-03-01",
            }
        ]
        db.session.commit()
    _name, word = _export(app, org.owner_id, version_id)
    (signatures,) = [_cells(t) for t in word.tables if _cells(t)[0][1:] == SIGNED]
    assert [row[1] for row in signatures[1:]] == ["Luz Gómez", "Analista", "01/03/2024"]
    assert [row[2] for row in signatures[1:]] == ["—", "—", "—"]
