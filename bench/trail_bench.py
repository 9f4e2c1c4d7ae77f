"""Trail throughput: events recorded per second (one transaction each) and chain verification.

Usage: .venv/bin/python bench/trail_bench.py [--events N] [--url DATABASE_URL]
Without --url it uses a fresh SQLite file in a temp dir (the embedded default).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core import migrate
from qms.core.db import create_db_engine
from qms.trail import services as trail
from qms.trail.models import TrailEvent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--url", default=None, help="an EMPTY database to migrate and fill")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        migrate.upgrade(url)
        engine = create_db_engine(url)

        started = time.perf_counter()
        for i in range(args.events):
            with Session(engine) as session:
                trail.record(
                    session,
                    "bench:write",
                    "bench",
                    i,
                    after={"i": i, "text": "x" * 80},
                    client_address="bench",
                )
                session.commit()
        elapsed = time.perf_counter() - started
        print(f"backend            {engine.dialect.name}")
        print(f"events recorded    {args.events}")
        print(
            f"record+commit      {args.events / elapsed:,.0f} events/s "
            f"({elapsed / args.events * 1000:.2f} ms each, synchronous=FULL)"
        )

        with Session(engine) as session:
            started = time.perf_counter()
            checked, problem = trail.verify_chain(session)
            elapsed = time.perf_counter() - started
            total = session.scalar(sa.select(sa.func.count(TrailEvent.id)))
        print(
            f"verify             {checked} of {total} events in {elapsed:.3f} s "
            f"({checked / elapsed:,.0f} events/s), problem: {problem}"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
