"""Done when, issue 16: each example, typed into Word as an organisation has it, imports with
its metadata, real version number, past date and history, and its export re-imports to the
same content."""

from __future__ import annotations

import pytest
from flask import Flask

from qms.core.db import db
from qms.documents.models import Document
from qms.word.importing import import_document
from qms.word.reading import read_bytes
from qms.word.writing import version_docx
from tests.documents_fixtures import build_org, user
from tests.word_examples import EXPECTED, example_docx


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_an_example_imports_and_its_export_reads_back_the_same(app: Flask, name: str) -> None:
    org = build_org(app)
    expected = EXPECTED[name]
    data = example_docx(name)
    with app.test_request_context():
        parsed = read_bytes(data, f"{name}.docx")
        if not parsed.process and not parsed.macroprocess:
            parsed.process = "Atención al Cliente"
        imported = import_document(
            db.session,
            app.extensions["qms_store"],
            user(org.approver_id),
            parsed,
            data=data,
            filename=f"{name}.docx",
        )
        db.session.commit()
        document = db.session.get(Document, imported.document_id)
        assert document is not None
        current = next(v for v in document.versions if v.number == expected.number)
        assert (document.code, current.effective_from, current.state) == (
            expected.code,
            expected.effective_from,
            "effective",
        )
        assert imported.history == len([n for n, *_ in expected.history if n < expected.number])
        assert [b["kind"] for b in current.content] == list(expected.kinds)

        _, exported = version_docx(db.session, user(org.approver_id), current.id)
        again = read_bytes(exported, "export.docx")
        assert (again.code, again.number, again.effective_from) == (
            expected.code,
            expected.number,
            expected.effective_from,
        )
        assert again.blocks == current.content
        assert {(p.meaning, p.name) for p in again.people} == {
            (p["meaning"], p["name"]) for p in current.imported_signers
        }
