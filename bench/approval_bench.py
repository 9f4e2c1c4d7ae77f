"""Approval throughput: full draft → effective cycles, each step its own committed transaction.

Usage: .venv/bin/python bench/approval_bench.py [--cycles N] [--url DATABASE_URL] [--hash M]
Without --url it uses a fresh SQLite file in a temp dir (the embedded default). Signing
re-checks the password, so the hash method matters: the default is production's scrypt;
`--hash scrypt:4096:8:1` (the tests' cost) shows the database's share.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from qms import create_app
from qms.config import Settings
from qms.core import migrate
from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import create_document, update_draft
from qms.documents.models import DocumentType
from qms.processes.services import create_process
from qms.users.services import create_user

PASSWORD = "bench-password-not-secret"
STEPS = ("create", "edit", "submit", "review", "approve+take_effect")


def _setup() -> tuple[Any, Any, Any, int, int]:
    session = db.session
    users = [
        create_user(
            session,
            None,
            username=name,
            full_name=name.title(),
            password=PASSWORD,
            roles=[role],
            bypass_permission=True,
        )
        for name, role in (
            ("owner", "process_owner"),
            ("reviewer", "quality_lead"),
            ("approver", "quality_lead"),
        )
    ]
    process = create_process(
        session,
        None,
        code="BE",
        name="Benchmark",
        type="core",
        leader_id=users[0].id,
        bypass_permission=True,
    )
    type_id = session.scalar(sa.select(DocumentType.id).where(DocumentType.key == "procedure"))
    session.commit()
    return *users, process.id, type_id


def _cycle(n: int, people: tuple[Any, ...], timings: dict[str, list[float]]) -> None:
    owner, reviewer, approver, process_id, type_id = people
    session = db.session
    state: dict[str, int] = {}

    def create() -> None:
        document = create_document(
            session, owner, type_id=type_id, process_id=process_id, title=f"Doc {n}"
        )
        state["version"] = document.versions[0].id

    steps: dict[str, Callable[[], Any]] = {
        "create": create,
        "edit": lambda: update_draft(
            session, owner, state["version"], content=[{"kind": "text", "text": f"Texto {n}"}]
        ),
        "submit": lambda: approval.submit_version(session, owner, state["version"], PASSWORD),
        "review": lambda: approval.review_version(session, reviewer, state["version"], PASSWORD),
        "approve+take_effect": lambda: approval.approve_version(
            session, approver, state["version"], PASSWORD
        ),
    }
    for name in STEPS:
        started = time.perf_counter()
        steps[name]()
        session.commit()
        timings[name].append(time.perf_counter() - started)


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cycles", type=int, default=100)
    parser.add_argument("--url", default=None, help="an EMPTY database to migrate and fill")
    parser.add_argument("--hash", default="scrypt", help="password hash method of the users")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        app = create_app(
            Settings(
                instance_path=Path(tmp) / "instance",
                database_url=url,
                store_path=Path(tmp) / "store",
                search_index_path=Path(tmp) / "index",
                secret_key="bench-secret-key",
                password_hash_method=args.hash,
            )
        )
        timings: dict[str, list[float]] = defaultdict(list)
        with app.app_context():
            people = _setup()
            started = time.perf_counter()
            for n in range(args.cycles):
                _cycle(n, people, timings)
            elapsed = time.perf_counter() - started
            backend = db.engine.dialect.name
        app.extensions["qms_db"].engine.dispose()

    print(f"backend            {backend}  (password hash {args.hash})")
    print(
        f"cycles             {args.cycles} draft→effective in {elapsed:.2f} s: "
        f"{args.cycles / elapsed:.1f} cycles/s"
    )
    print(f"{'step':<20} {'median ms':>10} {'p95 ms':>10}")
    for name in STEPS:
        values = timings[name]
        print(f"{name:<20} {statistics.median(values) * 1000:>10.1f} {_ms(values, 0.95):>10.1f}")


if __name__ == "__main__":
    main()
