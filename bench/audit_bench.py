"""Internal audits at the size of a large year: planning, coverage, answers, feed, report PDF.

Usage: .venv/bin/python bench/audit_bench.py [--processes N] [--audits-per-process N]
       [--url DATABASE_URL]
Without --url it uses a fresh SQLite file in a temp dir (the embedded default). Each step is
timed through the real services, each in its own committed transaction, as a request would be.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from qms import create_app
from qms.audits import calendar, checklist, findings, pdf, report
from qms.audits import programme as programmes
from qms.audits import services as audits
from qms.audits.lifecycle import AuditAction, apply
from qms.audits.services import AuditPlan, TeamSeat
from qms.config import Settings
from qms.core import migrate
from qms.core.db import db
from qms.processes.services import create_process
from qms.users.services import create_user

PASSWORD = "bench-password-not-secret"
CLAUSES = ["4.1", "5.2", "6.1", "7.2", "7.5.3", "8.2.1", "8.5.1", "9.1.2", "10.2"]


def _people(processes: int) -> tuple[Any, list[Any], list[int]]:
    session = db.session

    def user(name: str, role: str) -> Any:
        return create_user(
            session,
            None,
            username=name,
            full_name=name.title(),
            password=PASSWORD,
            roles=[role],
            bypass_permission=True,
        )

    lead = user("lead", "quality_lead")
    auditors = [user(f"auditor{n}", "auditor") for n in range(4)]
    process_ids = []
    for n in range(processes):
        leader = user(f"leader{n}", "process_owner")
        process = create_process(
            session,
            None,
            code=f"P{n:02d}",
            name=f"Proceso {n}",
            type="core",
            leader_id=leader.id,
            bypass_permission=True,
        )
        process_ids.append(process.id)
    session.commit()
    return lead, auditors, process_ids


def _timed(samples: list[float], fn: Any, *args: Any, **kwargs: Any) -> Any:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    db.session.commit()
    samples.append((time.perf_counter() - start) * 1000)
    return result


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    median = statistics.median(samples)
    print(f"{name:<12} n={len(samples):<5} median {median:8.1f} ms   p95 {p95:8.1f} ms")


def run(processes: int, per_process: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        database = url or f"sqlite:///{base / 'bench.sqlite3'}"
        migrate.upgrade(database)
        settings = Settings(
            instance_path=base / "instance",
            database_url=database,
            store_path=base / "store",
            search_index_path=base / "index",
            secret_key="bench",
            password_hash_method="scrypt:4096:8:1",
            render_on_approval=False,
        )
        app = create_app(settings)
        with app.app_context(), app.test_request_context():
            lead, auditors, process_ids = _people(processes)
            year = date.today().year
            programme = programmes.save_programme(
                db.session, lead, year, objectives="o", scope="s", criteria="c"
            )
            db.session.commit()
            timings: dict[str, list[float]] = {
                k: [] for k in ("plan", "checklist", "answer", "coverage", "feed", "report pdf")
            }
            audit_ids = []
            for n, process_id in enumerate(process_ids * per_process):
                day = date(year, 1, 1) + timedelta(days=(n * 3) % 360)
                plan = AuditPlan(
                    title=f"Auditoría {n}",
                    scope="Todo el proceso.",
                    criteria="ISO 9001:2015",
                    process_ids=[process_id],
                    start_on=day,
                    end_on=day,
                    lead_auditor=TeamSeat(auditors[n % 4].id),
                    auditors=[TeamSeat(auditors[(n + 1) % 4].id)],
                    auditee_ids=[auditors[(n + 2) % 4].id],
                    clauses=CLAUSES[n % 3 :: 2],
                )
                audit = _timed(
                    timings["plan"], audits.plan_audit, db.session, lead, programme.id, plan
                )
                _timed(
                    timings["checklist"], checklist.generate_checklist, db.session, lead, audit.id
                )
                audit_ids.append(audit.id)
            first = db.session.get(audits.Audit, audit_ids[0])
            lead_auditor = first.lead_auditor
            apply(db.session, first, AuditAction.NOTIFY_PLAN, lead_auditor)
            audits.start_audit(db.session, lead_auditor, first.id)
            db.session.commit()
            for question in first.questions:
                _timed(
                    timings["answer"],
                    checklist.answer_question,
                    db.session,
                    lead_auditor,
                    question.id,
                    answer="conforming",
                    notes="Visto en el registro.",
                )
            for n in range(10):
                findings.record_finding(
                    db.session, lead_auditor, first.id, grade="observation",
                    process_id=first.processes[0].id, criterion="c", evidence=f"e{n}",
                    statement=f"Hallazgo {n}",
                )  # fmt: skip
            report.save_report_text(
                db.session, lead_auditor, first.id, conclusions="Conforme.", strengths="",
                distribution="",
            )  # fmt: skip
            report.issue_report(db.session, lead_auditor, first.id, PASSWORD)
            db.session.commit()
            for _ in range(5):
                _timed(timings["coverage"], programmes.coverage, db.session, lead, year)
            _feed, token = calendar.create_feed(db.session, lead_auditor)
            db.session.commit()
            for _ in range(5):
                _timed(timings["feed"], calendar.feed_ics, db.session, token)
            for _ in range(3):
                _timed(timings["report pdf"], pdf.audit_report_pdf, db.session, lead, first.id)
            print(
                f"{processes} processes, {len(audit_ids)} audits, "
                f"{sum(len(db.session.get(audits.Audit, a).questions) for a in audit_ids)} "
                f"checklist questions, database {database.split(':')[0]}"
            )
            for name, samples in timings.items():
                _report(name, samples)
        app.extensions["qms_db"].engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=30)
    parser.add_argument("--audits-per-process", type=int, default=2)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    run(args.processes, args.audits_per_process, args.url)


if __name__ == "__main__":
    main()
