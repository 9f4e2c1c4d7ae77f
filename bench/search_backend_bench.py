"""Search backends: build time and each query class's p95 on Whoosh or on PostgreSQL.

Usage: .venv/bin/python bench/search_backend_bench.py [--items N] [--backend whoosh|postgres]
           [--runs R] [--url POSTGRESQL_SERVER_URL] [--keep]

Builds N synthetic Spanish entries (`qms.search.sources.base.entry`): seven in ten document
versions (a text, a SIPOC, steps, a clause; three in four in force), the rest nonconformities,
PQRS and findings, in 12 processes. They go through the backend's own `update` in batches of
1,000 (`qms.search.backends`): for PostgreSQL into the `search_entries` table of a new database
made on the server at --url (default QMS_TEST_DATABASE_URL, else the local server) and migrated
by Alembic, dropped at the end unless --keep; for Whoosh into an index in a temp dir. Then it
prints the build time and rate, one re-index (median, p95), and for each query class (rare word,
common words, phrase, code, code family, field filter, any word, hostile), parsed by
`qms.search.query.parse`, as an auditor (no filter) and as staff (versions in force and
nonconformities, through the index filter), one line `p95_ms CLASS VALUE`. Facets and dates are
the caller's work on the hits and are measured by bench/search_bench.py.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# The same Spanish corpus as the whole-pipeline bench (run as a script, bench/ is on the path).
from search_bench import PROCESSES, RARE, WORDS
from sqlalchemy.engine import make_url
from whoosh import index as whoosh_index
from whoosh import query as q

from qms.core import migrate
from qms.search.backends import SearchBackend
from qms.search.backends.postgres import PostgresBackend
from qms.search.backends.whoosh import WhooshBackend
from qms.search.index import SCHEMA
from qms.search.query import parse
from qms.search.sources.base import entry

TYPES = (("procedure", "PR", "Procedimiento"), ("work_instruction", "IN", "Instructivo"))
CLAUSES = ("7.5.3", "8.2.1", "8.5.1", "9.1.2", "10.2")
PEOPLE = ("Luisa Fernández", "Andrés Gómez", "María José Núñez", "Sara Pérez")
BATCH = 1000
STAFF = q.Or(
    [
        q.And([q.Term("kind", "version"), q.Term("state", "effective")]),
        q.Term("kind", "nonconformity"),
    ]
)
QUERIES = {
    "rare_word": (RARE, False),
    "common_words": ("atención usuario petición", False),
    "phrase": ('"acción correctiva"', False),
    "code": ("p03-in-000123", False),
    "code_family": ("p03-in", False),
    "field_filter": ("queja proceso:P05 tipo:work_instruction", False),
    "clause_state": ("cláusula:8.5.1 estado:abierta", False),
    "any_word": ("zirconio bodega", True),
    "hostile": ('"petición queja" &|! :* \\ \' ' + "x" * 150, False),
}


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _entries(items: int) -> Iterator[list[dict[str, Any]]]:
    """The corpus in batches of BATCH entries."""
    rng = random.Random(7)
    batch: list[dict[str, Any]] = []
    for i in range(items):
        process = PROCESSES[i % len(PROCESSES)]
        clause = rng.choice(CLAUSES)
        text = _sentence(rng, 40) + (f" Material de {RARE}." if i % 997 == 0 else "")
        people = rng.sample(PEOPLE, 2)
        common: dict[str, Any] = {
            "process": f"Proceso {process}",
            "process_code": process,
            "people": people,
            "year": 2020 + i % 7,
        }
        if i % 10 < 7:
            key, abbreviation, type_name = TYPES[i % 2]
            sipoc = " ".join(_sentence(rng, 17) for _ in range(4))
            steps = " ".join(_sentence(rng, 5) for _ in range(4))
            batch.append(
                entry(
                    "version",
                    i + 1,
                    code=f"{process}-{abbreviation}-{i:06d}",
                    title=_sentence(rng, 4),
                    content=f"Objetivo {text} SIPOC {sipoc} Actividades {steps} ISO {clause}",
                    state="effective" if i % 4 else "draft",
                    type_key=key,
                    type_name=type_name,
                    clauses=[clause],
                    document_id=i // 2 + 1,
                    number=1 + i % 2,
                    closes=False,
                    **common,
                )
            )
        else:
            kind = ("nonconformity", "pqrs", "finding")[i % 10 - 7]
            batch.append(
                entry(
                    kind,
                    i + 1,
                    code=f"{kind[:2].upper()}-{2020 + i % 7}-{i:06d}",
                    title=_sentence(rng, 6),
                    content=f"{text} Cláusula {clause}. {_sentence(rng, 30)}",
                    state=rng.choice(("reported", "analysed", "closed")),
                    clauses=[clause],
                    closes=kind != "finding",
                    **common,
                )
            )
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def _server_url(given: str | None) -> str:
    return (
        given
        or os.environ.get("QMS_TEST_DATABASE_URL")
        or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )


def _run(backend: SearchBackend, items: int, runs: int) -> None:
    started = time.perf_counter()
    for batch in _entries(items):
        backend.update(batch)
    elapsed = time.perf_counter() - started
    print(f"build              {items} entries in {elapsed:.1f} s ({items / elapsed:,.0f}/s)")
    if isinstance(backend, PostgresBackend):
        with backend.engine.begin() as connection:
            connection.execute(sa.text("VACUUM ANALYZE search_entries").execution_options())
    one = next(_entries(1))
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        backend.update(one)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"re-index one       median {statistics.median(timings):.1f} ms, p95 {_p95(timings):.1f} ms"
    )
    for who, allowed in (("auditor", None), ("staff", STAFF)):
        for name, (text, any_word) in QUERIES.items():
            parsed = parse(text, any_word=any_word)
            samples, found = [], 0
            for _ in range(runs):
                started = time.perf_counter()
                hits = [] if parsed is None else backend.search(parsed, allowed, limit=500)
                samples.append((time.perf_counter() - started) * 1000)
                found = len(hits)
            print(f"p95_ms {name}_{who} {_p95(samples):.1f}   ({found} hits)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--url", default=None, help="a PostgreSQL server (any database on it)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    print(f"backend            {args.backend}")

    if args.backend == "whoosh":
        with tempfile.TemporaryDirectory() as tmp:
            ix = whoosh_index.create_in(tmp, SCHEMA)
            _run(WhooshBackend(ix), args.items, args.runs)
            size = sum(p.stat().st_size for p in Path(tmp).iterdir())
            print(f"index size         {size / 1e6:.1f} MB")
        return

    server = _server_url(args.url)
    name = f"qms_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        migrate.upgrade(url)
        backend = PostgresBackend(engine)
        _run(backend, args.items, args.runs)
        with engine.connect() as connection:
            size = connection.scalar(sa.text("SELECT pg_total_relation_size('search_entries')"))
        print(f"table size         {int(size or 0) / 1e6:.1f} MB (with indexes)")
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept database      {name}")
        else:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
