"""Controlled copies: the first render of a version's base PDF vs each further copy.

Usage: .venv/bin/python bench/pdf_bench.py [--pages 2 20 100] [--copies N]

Runs the real services on a temporary SQLite database and blob store: a characterisation
whose SIPOC block has enough rows for the wanted page count (measured first on two probe
drafts) is approved; its base PDF is rendered once through the print template in the
sandbox (`ensure_base_pdf`), then N controlled copies are issued and printed, each a stamp
over the cached base with its own number, holder, QR code and trail event, committed.
Peak memory is the largest renderer child's resident set (RUSAGE_CHILDREN).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

from qms import create_app
from qms.config import Settings
from qms.core import migrate
from qms.core.db import db
from qms.demo import build_demo
from qms.demo.documents import DemoDocument, DemoVersion, _build
from qms.documents import authoring
from qms.documents.models import Document, DocumentVersion
from qms.printing import copies
from qms.printing.render import ensure_base_pdf
from qms.users.services import find_user


def sipoc(rows: int) -> list[dict]:
    row = {
        "suppliers": "*Proceso de Direccionamiento Estratégico *Entes de control",
        "inputs": "*Plan estratégico *Requisitos legales",
        "outputs": "Plan de acción",
        "clients": "Todos los procesos",
    }
    all_rows = [
        {**row, "phase": "PHVA"[i % 4], "activity": f"Actividad número {i} del proceso"}
        for i in range(rows)
    ]
    # A block holds at most 1000 rows: long characterisations are several SIPOC blocks.
    return [
        {"kind": "text", "text": "### Objetivo\n\nAtención oportuna de afiliados."},
        *(
            {"kind": "sipoc", "title": "SIPOC", "rows": all_rows[i : i + 500]}
            for i in range(0, len(all_rows), 500)
        ),
    ]


def _pages(session, store, version: DocumentVersion) -> int:
    data, _ = ensure_base_pdf(session, store, version)
    return len(PdfReader(BytesIO(data)).pages)


def _approved(logins, code: str, rows: int) -> DocumentVersion:
    session = db.session
    passwords = {user: password for user, password, _role in logins}
    author, lead = find_user(session, "lider"), find_user(session, "calidad")
    spec = DemoDocument(code, "characterization", "AC", code, (DemoVersion(sipoc(rows)),))
    _build(session, spec, (author, passwords["lider"]), (lead, passwords["calidad"]))
    session.commit()
    return session.query(Document).filter_by(code=code).one().versions[0]


def run(app, logins, pages: int, layout: tuple[float, float], copies_n: int) -> dict[str, float]:
    session, store = db.session, app.extensions["qms_store"]
    lead = find_user(session, "calidad")
    fixed, per_page = layout
    rows = max(1, round((pages - fixed - 0.5) * per_page))
    for attempt in range(3):
        version = _approved(logins, f"AC-BENCH-{pages}-{attempt}", rows)
        started = time.perf_counter()
        _data, rendition = ensure_base_pdf(session, store, version)
        session.commit()
        first_ms = (time.perf_counter() - started) * 1000
        assert rendition is not None
        if rendition.pages == pages:
            break
        rows = max(1, rows + round((pages - rendition.pages) * per_page))
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    times = []
    for n in range(copies_n):
        started = time.perf_counter()
        copy = copies.issue_controlled_copy(session, lead, version.id, f"Sede {n}")
        copies.print_copy(
            session,
            store,
            lead,
            version.id,
            controlled_copy_id=copy.id,
            check_url=f"https://qms.example/verify/{version.id}",
        )
        session.commit()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "pages": rendition.pages,
        "first_ms": first_ms,
        "peak_mib": peak_mib,
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
    }


def calibrate(app) -> tuple[float, float]:
    """(fixed pages, rows per page) from two drafts (drafts are rendered, never cached)."""
    session, store = db.session, app.extensions["qms_store"]
    author = find_user(session, "lider")
    document = session.query(Document).filter_by(code="CSC-AC-CR-01").one()
    measured = []
    for rows in (40, 200):
        draft = authoring.create_document(
            session, author, type_id=document.type_id, process_id=document.process_id, title="S"
        ).versions[0]
        authoring.update_draft(session, author, draft.id, content=sipoc(rows))
        session.commit()
        measured.append((rows, _pages(session, store, draft)))
    (r1, p1), (r2, p2) = measured
    per_page = (r2 - r1) / (p2 - p1)
    return p1 - r1 / per_page, per_page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[2, 20, 100])
    parser.add_argument("--copies", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="qms-pdf-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    migrate.upgrade(url)
    settings = Settings(
        instance_path=folder,
        database_url=url,
        store_path=folder / "store",
        search_index_path=folder / "index",
        render_on_approval=False,
        password_hash_method="scrypt:4096:8:1",
    )
    app = create_app(settings)
    with app.test_request_context(base_url="https://qms.example"):
        logins = build_demo(db.session)
        db.session.commit()
        layout = calibrate(app)
        print(f"(SIPOC rows per page {layout[1]:.1f}; {args.copies} copies each; {folder})")
        print("pages  first render  renderer peak RSS  copy median  copy p95")
        for pages in args.pages:
            r = run(app, logins, pages, layout, args.copies)
            print(
                f"{r['pages']:>5}  {r['first_ms']:>9.0f} ms  {r['peak_mib']:>13.0f} MiB"
                f"  {r['median_ms']:>8.1f} ms  {r['p95_ms']:>5.1f} ms"
            )


if __name__ == "__main__":
    main()
