"""Bulk import from the page and from `qms import`, with a master list: each file in its own
transaction on a worker thread, progress then a per-file report; a broken file leaves nothing;
only importers start a batch, and others' batches are hidden; a batch whose process died shows
as interrupted."""

from __future__ import annotations

import io
import json
import time
import zipfile
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext

from qms.core.db import db, utcnow
from qms.documents.models import Document
from qms.word import completing, master_list
from qms.word.import_cli import import_command
from qms.word.models import BatchState, ImportBatch
from tests.documents_fixtures import build_org
from tests.helpers import PASSWORD, csrf_token, login, trail_events
from tests.word_examples import EXPECTED, example_docx

CSC, PROCEDURE, CALLS = "atencion-al-cliente", "mantener-relaciones", "centro-de-llamadas"
LIST_CSV = (
    "Código;Nombre del documento;Proceso;Versión;Fecha de vigencia\n"
    "CSC-AC-CR-01;Caracterización Atención al Cliente;Atención al Cliente;5;15/10/2020\n"
    "PD-GCR-MR-002;Procedimiento Mantener Relaciones;GCR;2;17/06/2020\n"
    "CL-CR-01;Caracterización Centro de Llamadas;AC;3;31/08/2025\n"
).encode("utf-8-sig")


def _signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username, PASSWORD).status_code == 302
    return client


def _archive() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sgc/a.docx", example_docx(CSC))
        archive.writestr("sgc/b.docx", example_docx(PROCEDURE))
        archive.writestr("sgc/c.docx", b"PK\x03\x04 broken")
        archive.writestr("sgc/readme.txt", b"not imported")
    return buffer.getvalue()


def _finished(app: Flask, batch_id: int, timeout_s: float = 20.0) -> ImportBatch:
    deadline = time.monotonic() + timeout_s
    while True:
        with app.app_context():
            batch = db.session.get(ImportBatch, batch_id)
            assert batch is not None
            if batch.state != BatchState.RUNNING:
                return batch
        assert time.monotonic() < deadline, "the batch did not finish"
        time.sleep(0.05)


def test_a_quality_lead_imports_a_zip_with_a_master_list(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    assert client.get("/documents/import/bulk").status_code == 200
    started = client.post(
        "/documents/import/bulk",
        data={
            "csrf_token": csrf_token(client, "/documents/import/bulk"),
            "files": [(io.BytesIO(_archive()), "sgc.zip")],
            "master_list": (io.BytesIO(LIST_CSV), "listado.csv"),
        },
        content_type="multipart/form-data",
    )
    assert started.status_code == 302, started.get_data(as_text=True)[:2000]
    batch_id = int(started.headers["Location"].rsplit("/", 1)[1])
    batch = _finished(app, batch_id)
    assert (batch.state, batch.total, batch.done, batch.failed) == ("done", 3, 3, 1)
    by_file = {row["file"].rsplit("/", 1)[1]: row for row in batch.report}
    assert by_file["a.docx"]["code"] == "CSC-AC-CR-01" and by_file["a.docx"]["listed"]
    # Version 4 in the file, 5 in the list: the file's stands, noted.
    assert by_file["a.docx"]["version"] == EXPECTED[CSC].number
    assert any("“5”" in note or "«5»" in note for note in by_file["a.docx"]["notes"])
    assert by_file["b.docx"]["code"] == "PD-GCR-MR-002" and by_file["b.docx"]["listed"]
    assert "error" in by_file["c.docx"]
    with app.app_context():
        codes = set(db.session.scalars(sa.select(Document.code)))
    assert codes == {"CSC-AC-CR-01", "PD-GCR-MR-002"}  # the broken file left nothing
    (event,) = trail_events(app, "document:import_batch")
    after = json.loads(event.after)
    assert after["files"] == ["sgc.zip"] and after["master_list"] == "listado.csv"
    assert len(trail_events(app, "document:import")) == 2
    page = client.get(f"/documents/import/bulk/{batch_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Refresh" not in page.headers
    with app.test_request_context():  # in the page's language
        three_of_three = gettext("%(done)s of %(total)s", done=3, total=3)
    assert '<progress max="3" value="3">' in html and three_of_three in html
    assert "/documents/" in html and "CSC-AC-CR-01</a>" in html and "c.docx" in html


def test_staff_may_not_start_a_batch_nor_see_one(app: Flask) -> None:
    org = build_org(app)
    with app.app_context():
        batch = ImportBatch(started_by_id=org.approver_id, total=1, state=BatchState.DONE)
        db.session.add(batch)
        db.session.commit()
        batch_id = batch.id
    client = _signed_in(app, "sara")
    assert client.get("/documents/import/bulk").status_code == 403
    refused = client.post(
        "/documents/import/bulk",
        data={
            "csrf_token": csrf_token(client, "/documents/"),
            "files": [(io.BytesIO(example_docx(CSC)), "a.docx")],
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 403
    assert client.get(f"/documents/import/bulk/{batch_id}").status_code == 404
    assert trail_events(app, "document:import_batch") == []


def test_a_batch_whose_heartbeat_stopped_is_shown_interrupted(app: Flask) -> None:
    org = build_org(app)
    with app.app_context():
        report = [
            {
                "file": "a.docx",
                "code": "A-1",
                "version": 1,
                "state": "effective",
                "blocks": {},
                "history": 0,
                "created": [],
                "guessed": [],
                "notes": [],
                "listed": False,
                "document_id": None,
            }
        ]
        stalled = ImportBatch(
            started_by_id=org.approver_id,
            total=3,
            done=1,
            report=report,
            heartbeat_at=utcnow() - timedelta(minutes=5),
        )
        alive = ImportBatch(started_by_id=org.approver_id, total=3)
        db.session.add_all([stalled, alive])
        db.session.commit()
        stalled_id, alive_id = stalled.id, alive.id
    client = _signed_in(app, "ana")
    page = client.get(f"/documents/import/bulk/{stalled_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Refresh" not in page.headers
    with app.test_request_context():  # in the page's language
        said = (gettext("Interrupted"), gettext("%(done)s of %(total)s", done=1, total=3))
    assert said[0] in html and said[1] in html and "A-1" in html
    running = client.get(f"/documents/import/bulk/{alive_id}")
    assert running.headers["Refresh"] == "2"
    with app.app_context():
        states = {b.id: b.state for b in db.session.scalars(sa.select(ImportBatch))}
    assert states == {stalled_id: "interrupted", alive_id: "running"}


def test_qms_import_with_a_master_list_fills_what_a_file_lacks(app: Flask, tmp_path: Path) -> None:
    build_org(app)
    (tmp_path / "CL-CR-01.docx").write_bytes(example_docx(CALLS))  # names no process
    (tmp_path / "otro.docx").write_bytes(example_docx(PROCEDURE))
    master = tmp_path / "listado.csv"
    master.write_bytes(LIST_CSV.replace(b"PD-GCR-MR-002;Procedimiento", b"PD-XX-1;Otro"))
    result = app.test_cli_runner().invoke(
        import_command,
        [
            str(tmp_path / "CL-CR-01.docx"),
            str(tmp_path / "otro.docx"),
            "--as",
            "ana",
            "--master-list",
            str(master),
            "--json",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    by_file = {Path(row["file"]).name: row for row in json.loads(result.output)["files"]}
    calls = by_file["CL-CR-01.docx"]
    assert calls["listed"] and "process" in calls["guessed"]
    with app.test_request_context():  # the notes are in the default language
        taken, not_listed = str(completing.TAKEN).split("%(")[0], str(completing.NOT_LISTED)
    assert any(note.startswith(taken) for note in calls["notes"])
    assert not by_file["otro.docx"]["listed"]
    assert not_listed in by_file["otro.docx"]["notes"]
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.code == "CL-CR-01"))
        assert document is not None and document.process.code == "AC"


def test_qms_import_refuses_a_bad_master_list(app: Flask, tmp_path: Path) -> None:
    build_org(app)
    (tmp_path / "a.docx").write_bytes(example_docx(CSC))
    (tmp_path / "listado.xlsx").write_bytes(b"garbage")
    result = app.test_cli_runner().invoke(
        import_command,
        [str(tmp_path / "a.docx"), "--as", "ana", "--master-list", str(tmp_path / "listado.xlsx")],
    )
    with app.test_request_context():
        damaged = str(master_list.DAMAGED)
    assert result.exit_code == 2 and damaged in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_a_bad_master_list_is_refused_on_the_form_and_starts_nothing(app: Flask) -> None:
    build_org(app)
    client = _signed_in(app, "ana")
    refused = client.post(
        "/documents/import/bulk",
        data={
            "csrf_token": csrf_token(client, "/documents/import/bulk"),
            "files": [(io.BytesIO(example_docx(CSC)), "a.docx")],
            "master_list": (io.BytesIO(b"PK\x03\x04 not a workbook"), "listado.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert 'id="master_list-error"' in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportBatch)) == 0
    assert trail_events(app, "document:import_batch") == []
