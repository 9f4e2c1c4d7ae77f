"""Importing a Word file in the browser: upload, preview (what was read beside the file, the
guesses marked, the metadata correctable), save all or nothing; only for those who may import;
a hostile file refused with a message and nothing stored. And `qms import` in bulk."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents.models import Document, DocumentVersion
from qms.documents.rendering import render_markdown
from qms.word.import_cli import import_command
from tests.documents_fixtures import build_org
from tests.helpers import PASSWORD, csrf_token, login, trail_events
from tests.word_examples import EXPECTED, example_docx

CSC = "atencion-al-cliente"


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 302
    return client


def _preview(client: FlaskClient, data: bytes, filename: str = "csc.docx") -> Any:
    return client.post(
        "/documents/import/preview",
        data={
            "csrf_token": csrf_token(client, "/documents/import"),
            "file": (io.BytesIO(data), filename),
        },
        content_type="multipart/form-data",
    )


def _form_of(html: str) -> dict[str, str]:
    """The preview form's values as a browser without script would post them back (a
    disabled input is not sent)."""
    values: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        named = re.search(r'name="([^"]+)"[^>]*value="([^"]*)"', tag)
        if named and " disabled" not in tag:
            values[named.group(1)] = named.group(2)
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        assert chosen is not None
        values[name] = chosen.group(1)
    return {k: v.replace("&#43;", "+").replace("&#x2B;", "+") for k, v in values.items()}


def test_a_quality_lead_previews_corrects_and_imports(app: Flask) -> None:
    org = build_org(app)
    client = _signed_in(app, "ana")
    assert client.get("/documents/import").status_code == 200
    page = _preview(client, example_docx(CSC))
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:2000]
    assert "CSC-AC-CR-01" in html and "PROVEEDORES" in html  # read, and the file beside it
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    form = _form_of(html)
    assert base64.b64decode(form["file_data"]) == example_docx(CSC)
    form["title"] = "Caracterización Atención al Cliente"  # corrected in the preview
    saved = client.post("/documents/import/save", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with app.app_context():
        document = db.session.scalar(sa.select(Document))
        assert document is not None
        assert (document.code, document.title) == (
            "CSC-AC-CR-01",
            "Caracterización Atención al Cliente",
        )
        assert document.process_id == org.process_id
        numbers = sorted(v.number for v in document.versions)
        assert numbers[-1] == EXPECTED[CSC].number and len(numbers) > 1
    shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "imported" in shown or "importad" in shown
    assert len(trail_events(app, "document:import")) == 1


def _content_json(html: str) -> list[dict[str, Any]]:
    """The blocks the preview hands block-editor.js, as the script reads them."""
    found = re.search(r'<input[^>]*name="content_json"[^>]*value="([^"]*)"[^>]*disabled', html)
    assert found is not None, "the preview carries the blocks for the editor"
    blocks: list[dict[str, Any]] = json.loads(unescape(found.group(1)))
    return blocks


def test_blocks_corrected_in_the_preview_are_what_is_imported(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    html = _preview(client, example_docx(CSC)).get_data(as_text=True)
    blocks = _content_json(html)
    assert [b["kind"] for b in blocks].count("sipoc") == 1
    text = next(i for i, b in enumerate(blocks) if b["kind"] == "text")
    blocks[text]["text"] = "**Objetivo** corregido en la vista previa."
    sipoc = next(b for b in blocks if b["kind"] == "sipoc")
    sipoc["rows"] = sipoc["rows"][:2]  # two rows read wrongly dropped
    form = _form_of(html)
    form["content_json"] = json.dumps(blocks)
    saved = client.post("/documents/import/save", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:3000]
    with app.app_context():
        version = db.session.scalar(
            sa.select(DocumentVersion).where(DocumentVersion.state == "effective")
        )
        assert version is not None
        assert version.content[text]["text"] == "**Objetivo** corregido en la vista previa."
        assert len(next(b for b in version.content if b["kind"] == "sipoc")["rows"]) == 2
    (event,) = trail_events(app, "document:import")
    after = json.loads(event.after)
    assert after["corrected"] == ["content"]
    assert not [key for key in after["guessed"] if key.startswith("block:")]
    assert "<strong>Objetivo</strong>" in render_markdown(version.content[text]["text"])


def test_bad_blocks_from_the_preview_store_nothing_and_keep_what_was_typed(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    html = _preview(client, example_docx(CSC)).get_data(as_text=True)
    blocks = _content_json(html)
    blocks.append({"kind": "no-such-kind", "title": "Mal"})
    blocks[0]["title"] = "Typed before the mistake"
    form = _form_of(html)
    form["content_json"] = json.dumps(blocks)
    refused = client.post("/documents/import/save", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Typed before the mistake" in unescape(page)
    assert 'class="alert alert-error" role="alert">' in page
    form["content_json"] = "[{not json"
    assert client.post("/documents/import/save", data=form).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert trail_events(app, "document:import") == []


def test_staff_may_not_import(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "sara")
    assert client.get("/documents/import").status_code == 403
    token = csrf_token(client, "/documents/")
    refused = client.post(
        "/documents/import/save",
        data={"csrf_token": token, "file_data": base64.b64encode(example_docx(CSC)).decode()},
    )
    assert refused.status_code == 403
    assert trail_events(app, "document:import") == []


def test_a_hostile_file_is_refused_with_a_message_and_nothing_stored(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", '<!DOCTYPE x [<!ENTITY a "b">]><w:document/>')
    page = _preview(client, buffer.getvalue())
    assert page.status_code == 400
    assert 'class="error"' in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_saving_twice_is_a_conflict_and_leaves_one_document(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    form = _form_of(_preview(client, example_docx(CSC)).get_data(as_text=True))
    assert client.post("/documents/import/save", data=form).status_code == 302
    again = client.post("/documents/import/save", data=form)
    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_qms_import_reports_each_file_and_goes_on_past_a_bad_one(
    app: Flask, tmp_path: Path
) -> None:
    build_org(app)
    folder = tmp_path / "sgc"
    folder.mkdir()
    (folder / "a.docx").write_bytes(example_docx(CSC))
    (folder / "b.docx").write_bytes(example_docx("mantener-relaciones"))
    (folder / "c.docx").write_bytes(b"not a word file")
    result = app.test_cli_runner().invoke(
        import_command, [str(folder), "--as", "ana", "--json"], catch_exceptions=False
    )
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    by_file = {Path(row["file"]).name: row for row in report["files"]}
    assert by_file["a.docx"]["code"] == "CSC-AC-CR-01"
    assert by_file["a.docx"]["version"] == EXPECTED[CSC].number
    assert by_file["a.docx"]["blocks"]["sipoc"] == 1 and by_file["a.docx"]["history"] > 0
    assert by_file["b.docx"]["code"] == "PD-GCR-MR-002"
    assert "process:GCR" in by_file["b.docx"]["created"]
    assert "error" in by_file["c.docx"]
    assert (report["imported"], report["failed"]) == (2, 1)
    with app.app_context():
        codes = set(db.session.scalars(sa.select(Document.code)))
        assert codes == {"CSC-AC-CR-01", "PD-GCR-MR-002"}
        states = {
            v.number: v.state
            for v in db.session.scalars(
                sa.select(DocumentVersion).join(Document).where(Document.code == "PD-GCR-MR-002")
            )
        }
        assert states[EXPECTED["mantener-relaciones"].number] == "effective"


def test_a_file_whose_code_is_here_becomes_the_next_draft(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    form = _form_of(_preview(client, example_docx(CSC)).get_data(as_text=True))
    assert client.post("/documents/import/save", data=form).status_code == 302
    page = _preview(client, example_docx(CSC)).get_data(as_text=True)
    assert 'name="as_draft"' in page  # offered, since the code is here
    again = _form_of(page)
    again["as_draft"] = "y"
    saved = client.post("/documents/import/save", data=again)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert "/edit" in saved.headers["Location"]
    with app.app_context():
        document = db.session.scalar(sa.select(Document))
        assert document is not None
        draft = max(document.versions, key=lambda v: v.number)
        assert (draft.number, draft.state) == (EXPECTED[CSC].number + 1, "draft")
    assert len(trail_events(app, "document:import")) == 2
