"""Search: index build, one re-index, and each query class's p95 as staff and as an auditor.

Usage: .venv/bin/python bench/search_bench.py [--items N] [--runs R] [--url DATABASE_URL]
       [--backend whoosh|postgres]

Builds a Spanish corpus of N searchable items on a fresh database (SQLite in a temp dir by
default): 80 % document versions with a text block, a SIPOC and steps, in 12 processes and
three types, three in four in force (half of those with a superseded version before them), the
rest drafts; 12 % nonconformities with containment; 8 % audit findings (ten to an audit). Then
it rebuilds the Whoosh index from the database (`qms search rebuild`'s path) and
prints the build time and rate, the index size, the peak Python memory while building, one
re-index (median and p95), and for each query class, as staff (versions in force only, through
the index filter and the database's visibility) and as an auditor (everything), one line
`p95_ms CLASS VALUE`.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from qms import create_app
from qms.audits.models import Audit, AuditProgramme, Finding, FindingGrade
from qms.capa.models import NcSource, NcState, Nonconformity
from qms.config import Settings
from qms.core import migrate
from qms.core.db import db, utcnow
from qms.documents.models import Document, DocumentType, DocumentVersion, VersionState
from qms.processes.models import Process
from qms.processes.services import create_process
from qms.search import jobs
from qms.search.backend_of import search_backend
from qms.search.models import SearchJob
from qms.search.results import search
from qms.users.services import create_user

S = VersionState
WORDS = tuple(
    " ".join(
        (
            "atención usuario petición queja reclamo sugerencia respuesta trámite radicado",
            "plazo correspondencia archivo expediente firma revisión aprobación control",
            "registro formato indicador medición satisfacción encuesta auditoría hallazgo",
            "acción correctiva mejora proveedor compra contrato pago factura inventario",
            "bodega despacho transporte cliente capacitación competencia evaluación",
            "desempeño riesgo oportunidad objetivo política calidad documento",
            "procedimiento instructivo manual caracterización proceso entrada salida",
        )
    ).split()
)
RARE = "zirconio"
PROCESSES = [f"P{i:02d}" for i in range(12)]
TYPES = ("procedure", "characterization", "work_instruction")


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _content(rng: random.Random, i: int) -> list[dict]:
    text = _sentence(rng, 40)
    if i % 997 == 0:
        text += f" Material de {RARE}."
    return [
        {"kind": "text", "text": f"### Objetivo\n\n{text}"},
        {
            "kind": "sipoc",
            "title": "SIPOC",
            "rows": [
                {
                    "phase": "PHVA"[r % 4],
                    "suppliers": _sentence(rng, 3),
                    "inputs": _sentence(rng, 3),
                    "activity": _sentence(rng, 6),
                    "outputs": _sentence(rng, 3),
                    "clients": _sentence(rng, 2),
                }
                for r in range(4)
            ],
        },
        {
            "kind": "steps",
            "title": "Actividades",
            "steps": [
                {"id": str(n + 1), "task": _sentence(rng, 5), "who": "Líder", "how": ""}
                for n in range(4)
            ],
        },
        {
            "kind": "requirements",
            "title": "Requisitos",
            "iso": [rng.choice(["7.5.3", "8.2.1", "8.5.1", "9.1.2", "10.2"])],
            "legal": [],
            "internal": [],
        },
    ]


def _corpus(session: Session, items: int) -> tuple[int, int]:
    """Fill the database; returns (staff id, auditor id)."""
    rng = random.Random(7)
    staff = create_user(
        session,
        None,
        username="staff",
        full_name="Sara Staff",
        password="bench-pass-1234",
        roles=["staff"],
        bypass_permission=True,
    )
    auditor = create_user(
        session,
        None,
        username="auditora",
        full_name="Luisa Auditora",
        password="bench-pass-1234",
        roles=["auditor"],
        bypass_permission=True,
    )
    processes = [
        create_process(
            session,
            None,
            code=code,
            name=f"Proceso {code}",
            type="core",
            leader_id=staff.id,
            bypass_permission=True,
        )
        for code in PROCESSES
    ]
    types = {t.key: t for t in session.scalars(sa.select(DocumentType))}
    today = date.today()
    made = 0
    serial = 0
    while made < items * 4 // 5:
        serial += 1
        process = processes[serial % len(processes)]
        key = TYPES[serial % len(TYPES)]
        document = Document(
            code=f"{process.code}-{types[key].abbreviation}-{serial:05d}",
            title=_sentence(rng, 4),
            type_id=types[key].id,
            process_id=process.id,
            owner_id=staff.id,
        )
        session.add(document)
        session.flush()
        kind = serial % 4  # 0: draft; 1: in force; 2-3: in force with a superseded version
        numbers = [(1, S.DRAFT)] if kind == 0 else [(1, S.EFFECTIVE)]
        if kind >= 2:
            numbers = [(1, S.SUPERSEDED), (2, S.EFFECTIVE)]
        for number, state in numbers:
            session.add(
                DocumentVersion(
                    document_id=document.id,
                    number=number,
                    state=state,
                    content=_content(rng, made),
                    author_id=staff.id,
                    effective_from=None
                    if state == S.DRAFT
                    else today - timedelta(days=400 // number),
                )
            )
            made += 1
        if made % 2000 < 3:
            session.flush()
    _records(session, rng, items - items * 4 // 5, processes, staff.id, auditor.id)
    session.commit()
    return staff.id, auditor.id


def _records(
    session: Session,
    rng: random.Random,
    count: int,
    processes: list[Process],
    staff_id: int,
    auditor_id: int,
) -> None:
    """Nonconformities (three in five) and audit findings (ten to an audit)."""
    today = date.today()
    clauses = ["7.5.3", "8.2.1", "8.5.1", "9.1.2", "10.2"]
    ncs = count * 3 // 5
    for seq in range(1, ncs + 1):
        process = processes[seq % len(processes)]
        session.add(
            Nonconformity(
                code=f"NC-{today.year}-{seq:05d}",
                year=today.year,
                seq=seq,
                state=rng.choice(list(NcState)),
                source=NcSource.INTERNAL_AUDIT,
                process_id=process.id,
                title=_sentence(rng, 5),
                description=_sentence(rng, 30),
                containment=_sentence(rng, 12),
                detected_on=today - timedelta(days=seq % 700),
                iso_clause=rng.choice(clauses),
                reported_by_id=staff_id,
            )
        )
    programme = AuditProgramme(
        year=today.year, objectives="Bench", scope="Todo", criteria="ISO 9001", created_by_id=1
    )
    session.add(programme)
    session.flush()
    audit = None
    for n in range(count - ncs):
        if n % 10 == 0:
            audit = Audit(
                code=f"AI-{today.year}-{n // 10 + 1:04d}",
                year=today.year,
                seq=n // 10 + 1,
                programme_id=programme.id,
                title=_sentence(rng, 4),
                scope=_sentence(rng, 8),
                criteria="ISO 9001:2015",
                planned_month=today.replace(day=1),
                start_on=today,
                end_on=today,
                lead_auditor_id=auditor_id,
                created_by_id=auditor_id,
            )
            session.add(audit)
            session.flush()
        assert audit is not None
        session.add(
            Finding(
                audit_id=audit.id,
                seq=n % 10 + 1,
                grade=rng.choice(list(FindingGrade)),
                process_id=processes[n % len(processes)].id,
                iso_clause=rng.choice(clauses),
                criterion=_sentence(rng, 8),
                evidence=_sentence(rng, 15),
                statement=_sentence(rng, 15),
                created_by_id=auditor_id,
            )
        )


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", default=None, help="an EMPTY database to migrate and fill")
    parser.add_argument(
        "--backend",
        choices=("whoosh", "postgres"),
        default="whoosh",
        help="where the entries live (postgres needs a PostgreSQL --url)",
    )
    parser.add_argument(
        "--dir",
        default=None,
        help="keep the corpus and index in DIR; a second run over the same DIR (and --url) "
        "skips building and only times the queries",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.dir or tmp)
        root.mkdir(parents=True, exist_ok=True)
        url = args.url or f"sqlite:///{root / 'bench.sqlite3'}"
        built = (root / "built").exists()
        migrate.upgrade(url)  # a kept corpus is brought up to this release's schema too
        settings = Settings(
            database_url=url,
            instance_path=root,
            store_path=root / "store",
            search_index_path=root / "index",
            secret_key="bench",
            tick_interval_minutes=0,
            search_backend=args.backend,
        )
        app = create_app(settings)
        with app.app_context():
            if built:
                _queries(app, *(int(i) for i in (root / "built").read_text().split()), args.runs)
                return
            started = time.perf_counter()
            staff_id, auditor_id = _corpus(db.session, args.items)
            print(f"corpus             {args.items} items in {time.perf_counter() - started:.1f} s")

            started = time.perf_counter()
            count = jobs.rebuild_and_swap(app)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            if args.backend == "postgres":
                size = db.session.execute(
                    sa.text("SELECT pg_total_relation_size('search_entries')")
                ).scalar_one()
            else:
                current = settings.search_index_path / "current"
                size = sum(p.stat().st_size for p in current.resolve().iterdir())
            print(
                f"build              {count} entries in {elapsed:.1f} s ({count / elapsed:,.0f}/s)"
            )
            print(f"index size         {size / 1e6:.1f} MB")
            print(f"peak memory        {peak / 1e6:.0f} MB (process, corpus and build)")

            some = db.session.scalar(  # a draft: the only content that may change
                sa.select(DocumentVersion.id)
                .where(DocumentVersion.state == S.DRAFT)
                .limit(1)
                .offset(args.items // 10)
            )
            timings = []
            rng = random.Random(11)
            for run in range(args.runs):
                # As a change leaves it: new content and one durable job, drained after the
                # commit (an unchanged entry is not written again).
                db.session.execute(
                    sa.update(DocumentVersion)
                    .where(DocumentVersion.id == some)
                    .values(content=_content(rng, run))
                )
                now = utcnow()
                db.session.add(
                    SearchJob(
                        object_type="document_version",
                        object_id=some,
                        queued_at=now,
                        next_attempt_at=now,
                    )
                )
                db.session.commit()
                started = time.perf_counter()
                drained = jobs.drain(app)
                timings.append((time.perf_counter() - started) * 1000)
                assert drained.applied == 1, drained
            median = statistics.median(timings)
            print(f"re-index one       median {median:.1f} ms, p95 {_p95(timings):.1f} ms")
            if args.dir:
                (root / "built").write_text(f"{staff_id} {auditor_id}")
            _queries(app, staff_id, auditor_id, args.runs)


def _queries(app: Flask, staff_id: int, auditor_id: int, runs: int) -> None:
    backend = search_backend(app)
    queries = {
        "rare_word": ({}, RARE),
        "common_words": ({}, "atención usuario petición"),
        "phrase": ({}, '"acción correctiva"'),
        "code": ({}, "p03-pr"),
        "field_filter": ({}, "queja proceso:P05 tipo:work_instruction"),
        "facets": ({}, "calidad"),
        "in_force_on": ({"in_force_on_day": date.today() - timedelta(days=300)}, "queja"),
        "hostile": ({}, "*a* " * 10),
    }
    from qms.users.models import User

    for who, user_id in (("staff", staff_id), ("auditor", auditor_id)):
        actor = db.session.get(User, user_id)
        for name, (options, text) in queries.items():
            samples = []
            found = 0
            with app.test_request_context():
                search(db.session, actor, backend, text, **options)  # type: ignore[arg-type]  # warm
                for _ in range(runs):
                    started = time.perf_counter()
                    results = search(db.session, actor, backend, text, **options)  # type: ignore[arg-type]
                    samples.append((time.perf_counter() - started) * 1000)
                    found = results.total
            print(f"p95_ms {name}_{who} {_p95(samples):.1f}   ({found} hits)")


if __name__ == "__main__":
    main()
