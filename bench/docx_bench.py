"""Word in and out: one import with its preview, one export, peak memory, and a bulk import.

Usage: .venv/bin/python bench/docx_bench.py [--runs 20] [--files 200]

Runs the real services on a temporary SQLite database and blob store. The file is a generated
characterisation as organisations type them: a page-header table (code, version, date,
process), an objective, a 100-row SIPOC table with PLANEAR / HACER / VERIFICAR / ACTUAR
section rows, a signature table and a 20-row version-history table.

- "import with preview": what the preview page does for an upload, the zip-level check, the
  reading into blocks and the file's own text beside it, plus saving it as a document with
  its history (one transaction, committed);
- "export": the version in force written back to .docx;
- "bulk": `qms import FOLDER --as USER --json` over N generated files, wall time.
Targets (issue 16): one import with preview under 1 s; 200 files with the report under 3 min.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import docx
from docx.shared import Cm

from qms import create_app
from qms.config import Settings
from qms.core import migrate
from qms.core.db import db
from qms.users.services import create_user
from qms.word.import_cli import import_command
from qms.word.importing import import_document
from qms.word.reading import read_bytes
from qms.word.source_view import source_html
from qms.word.writing import version_docx

PHASES = ("PLANEAR", "HACER", "VERIFICAR", "ACTUAR")
_TEXT = (
    "usuario solicitud respuesta radicado queja petición seguimiento informe indicador",
    "proveedor cliente registro formato revisión aprobación atención oportuna calidad",
)
WORDS = " ".join(_TEXT).split(" ")


def _words(n: int, seed: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n))


def characterisation(code: str, sipoc_rows: int = 100, history_rows: int = 20) -> bytes:
    word = docx.Document()
    header = word.sections[0].header.add_table(rows=2, cols=4, width=Cm(17))
    for (r, c), text in {
        (0, 0): "CÓDIGO:",
        (0, 1): code,
        (0, 2): "VERSIÓN:",
        (0, 3): str(history_rows + 1),
        (1, 0): "VIGENTE DESDE:",
        (1, 1): "31/08/2025",
        (1, 2): "PROCESO:",
        (1, 3): "Atención al Cliente",
    }.items():
        header.cell(r, c).text = text
    word.add_heading("Caracterización Atención al Cliente", level=1)
    word.add_heading("Objetivo", level=2)
    word.add_paragraph(_words(40, 1))
    table = word.add_table(rows=1, cols=5)
    for c, text in enumerate(("PROVEEDORES", "ENTRADAS", "ACTIVIDADES", "SALIDAS", "CLIENTES")):
        table.rows[0].cells[c].text = text
    per_phase = sipoc_rows // len(PHASES)
    for phase in PHASES:
        marker = table.add_row().cells
        marker[0].merge(marker[4]).text = phase
        for i in range(per_phase):
            cells = table.add_row().cells
            for c in range(5):
                cells[c].text = _words(6, i * 5 + c)
    signatures = word.add_table(rows=3, cols=3)
    for c, (role, name) in enumerate(
        (("ELABORÓ", "Olga Ruiz"), ("REVISÓ", "Raúl Díaz"), ("APROBÓ", "Ana Gómez"))
    ):
        signatures.cell(0, c).text = role
        signatures.cell(1, c).text = name
        signatures.cell(2, c).text = "Líder de proceso"
    word.add_heading("Historial de versiones", level=2)
    history = word.add_table(rows=1, cols=4)
    for c, text in enumerate(("Versión", "Fecha", "Descripción del cambio", "Elaboró")):
        history.rows[0].cells[c].text = text
    start = date(2010, 1, 15)
    for n in range(1, history_rows + 1):
        cells = history.add_row().cells
        cells[0].text = str(n)
        cells[1].text = (start + timedelta(days=150 * n)).strftime("%d/%m/%Y")
        cells[2].text = _words(8, n)
        cells[3].text = "Olga Ruiz"
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--files", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = create_app(
            Settings(
                database_url=url,
                instance_path=root,
                store_path=root / "store",
                search_index_path=root / "index",
                secret_key="bench",
                tick_interval_minutes=0,
            )
        )
        with app.app_context():
            lead = create_user(
                db.session,
                None,
                username="calidad",
                full_name="Ana Calidad",
                password="bench-pass-1234",
                roles=["quality_lead"],
                bypass_permission=True,
            )
            db.session.commit()
            store = app.extensions["qms_store"]
            files = [characterisation(f"CSC-AC-CR-{n:03d}") for n in range(args.runs)]
            size = len(files[0]) / 1024
            print(f"file               {size:.0f} KB (100 SIPOC rows, 20 history rows)")
            imports, exports = [], []
            version_id = 0
            with app.test_request_context():
                for n, data in enumerate(files):
                    started = time.perf_counter()
                    parsed = read_bytes(data, f"f{n}.docx")
                    source_html(data)
                    imported = import_document(
                        db.session, store, lead, parsed, data=data, filename=f"f{n}.docx"
                    )
                    db.session.commit()
                    imports.append((time.perf_counter() - started) * 1000)
                    version_id = imported.version_id
                    assert imported.history == 20 and imported.blocks.get("sipoc") == 1, imported
                for _ in range(args.runs):
                    started = time.perf_counter()
                    version_docx(db.session, lead, version_id)
                    db.session.commit()
                    exports.append((time.perf_counter() - started) * 1000)
            print(
                f"import with preview median {statistics.median(imports):.0f} ms, "
                f"p95 {_p95(imports):.0f} ms"
            )
            print(
                f"export             median {statistics.median(exports):.0f} ms, "
                f"p95 {_p95(exports):.0f} ms"
            )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"peak memory        {peak:.0f} MB (process)")

        folder = root / "bulk"
        folder.mkdir()
        for n in range(args.files):
            (folder / f"doc-{n:03d}.docx").write_bytes(characterisation(f"BULK-CR-{n:03d}", 40, 5))
        started = time.perf_counter()
        result = app.test_cli_runner().invoke(
            import_command, [str(folder), "--as", "calidad", "--json"], catch_exceptions=False
        )
        elapsed = time.perf_counter() - started
        report = json.loads(result.output)
        print(
            f"bulk               {args.files} files in {elapsed:.1f} s "
            f"({report['imported']} imported, {report['failed']} failed)"
        )


if __name__ == "__main__":
    main()
