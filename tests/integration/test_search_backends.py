"""The search backends agree: the same entries and the same parsed searches find the same keys
in Whoosh and in PostgreSQL (`qms.search.backends`); updates replace, removals remove, and no
typed input makes either fail.

The PostgreSQL tests run on this worker's migrated database (QMS_TEST_DATABASE_URL), and skip
without one like every PostgreSQL test.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from whoosh import index as whoosh_index
from whoosh import query as q

from qms.search.backends import SearchBackend, UnsupportedQuery
from qms.search.backends.postgres import PostgresBackend, lexeme, row
from qms.search.backends.whoosh import WhooshBackend
from qms.search.index import SCHEMA
from qms.search.query import parse
from qms.search.sources.base import entry


def _entries() -> list[dict[str, Any]]:
    return [
        entry(
            "version",
            1,
            code="CSC-AC-CR-01",
            title="Atención de peticiones, quejas y reclamos",
            content=(
                "Objetivo: dar respuesta oportuna a cada petición del usuario. "
                "SIPOC: el ciudadano radica la queja; la oficina de atención al usuario "
                "registra el radicado. Requisitos ISO 8.2.1 y 9.1.2."
            ),
            state="effective",
            year=2026,
            process="Atención al ciudadano",
            process_code="CSC",
            type_key="procedure",
            type_name="Procedimiento",
            clauses=["8.2.1"],
            people=["Luisa Fernández", "Andrés Gómez"],
            document_id=11,
            number=2,
            closes=False,
        ),
        entry(
            "version",
            2,
            code="CSC-AC-CR-01",
            title="Atención de peticiones y quejas",
            content="Versión anterior: respuesta a la petición en quince días.",
            state="superseded",
            year=2025,
            process="Atención al ciudadano",
            process_code="CSC",
            type_key="procedure",
            type_name="Procedimiento",
            clauses=["8.2.1"],
            people=["Luisa Fernández"],
            document_id=11,
            number=1,
            closes=False,
        ),
        entry(
            "version",
            3,
            code="CSC-AC-IN-02",
            title="Instructivo de radicación de correspondencia",
            content=(
                "Pasos para radicar la correspondencia recibida. Acción correctiva cuando "
                "el radicado se pierde. Control de la producción: cláusula 8.5.1."
            ),
            state="effective",
            year=2026,
            process="Atención al ciudadano",
            process_code="CSC",
            type_key="work_instruction",
            type_name="Instructivo",
            people=["Andrés Gómez"],
            document_id=12,
            number=1,
            closes=False,
        ),
        entry(
            "version",
            4,
            code="GCA-PR-05",
            title="Control de producción y prestación del servicio",
            content=(
                "Planificar y controlar la producción según la cláusula 8.5.1. "
                "La acción de mejora se registra en el formato GCA-FO-07."
            ),
            state="draft",
            year=2026,
            process="Gestión de calidad",
            process_code="GCA",
            type_key="procedure",
            type_name="Procedimiento",
            clauses=["8.5.1", "10.2"],
            people=["María José Núñez"],
            document_id=13,
            number=1,
            closes=False,
        ),
        entry(
            "version",
            5,
            code="GCA-CA-01",
            title="Caracterización del proceso de gestión de calidad",
            content="Entradas, salidas, indicadores de satisfacción del cliente y riesgos.",
            state="effective",
            year=2024,
            process="Gestión de calidad",
            process_code="GCA",
            type_key="characterization",
            type_name="Caracterización",
            clauses=["4.4"],
            people=["María José Núñez"],
            document_id=14,
            number=1,
            closes=False,
        ),
        entry(
            "nonconformity",
            3,
            code="NC-2026-003",
            title="Radicado de queja sin respuesta en el plazo",
            content=(
                "Contención: responder la petición atrasada. Causa raíz: el instructivo "
                "CSC-AC-IN-02 no fija el plazo. Acción correctiva: ajustar el formato. "
                "Incumple 8.5.1."
            ),
            state="analysed",
            year=2026,
            process="Atención al ciudadano",
            process_code="CSC",
            people=["Luisa Fernández"],
        ),
        entry(
            "nonconformity",
            4,
            code="NC-2026-004",
            title="Encuesta de satisfacción sin análisis",
            content="La medición de satisfacción no se analizó. Cláusula 9.1.2.",
            state="closed",
            year=2026,
            process="Gestión de calidad",
            process_code="GCA",
            people=["Andrés Gómez"],
        ),
        entry(
            "pqrs",
            7,
            code="PQRS-2026-0007",
            title="Queja por demora en la atención",
            content="El ciudadano reclama que su petición de información lleva 30 días.",
            state="received",
            year=2026,
            process="Atención al ciudadano",
            process_code="CSC",
        ),
        entry(
            "finding",
            9,
            code="AI-2026-01-H2",
            title="Hallazgo: control de producción sin registros",
            content="No hay evidencia del control de la producción (8.5.1) en bodega.",
            state="closed",
            year=2026,
            process="Gestión de calidad",
            process_code="GCA",
            clauses=["8.5.1"],
            people=["María José Núñez"],
            closes=False,
        ),
        entry(
            "audit",
            2,
            code="AI-2026-01",
            title="Auditoría interna de atención al ciudadano",
            content="Plan: revisar peticiones, quejas, reclamos y la cláusula 8.2.1.",
            state="planned",
            year=2026,
            process="Atención al ciudadano",
            process_code="CSC",
            clauses=["8.2.1"],
            people=["Luisa Fernández", "Andrés Gómez"],
        ),
    ]


TYPED = [
    "peticion",
    "petición",
    "PETICIONES",
    "atención usuario",
    "atencion al usuario",
    "quejas reclamos",
    '"acción correctiva"',
    '"accion correctiva"',
    '"control de la producción"',
    '"producción control"',
    "csc-ac-cr-01",
    "CSC-AC-CR-01",
    "csc-ac",
    "csc",
    "gca-fo-07",
    "8.5.1",
    "cláusula:8.5.1",
    "clausula:9.1.2 satisfaccion",
    "proceso:csc",
    "proceso:calidad",
    'proceso:"atención al ciudadano" queja',
    "tipo:procedure",
    "tipo:instructivo",
    "estado:abierta",
    "estado:vigente",
    "estado:cerrada",
    "clase:nc",
    "clase:hallazgo control",
    "clase:documento",
    "persona:luisa",
    "persona:nunez",
    "persona:maria jose",
    "año:2025",
    "radicado queja",
    "zirconio",
    "de la",
]
ANY_WORD = [
    "radicado satisfaccion",
    "zirconio bodega",
    "csc-ac-in gca",
    '"accion correctiva" encuesta',
]
FILTERS: list[q.Query | None] = [
    None,
    q.Or(
        [
            q.And([q.Term("kind", "version"), q.Term("state", "effective")]),
            q.Term("key", "nonconformity:3"),
        ]
    ),
    q.Or([q.Term("kind", "nonconformity"), q.Term("kind", "finding")]),
    q.Or([q.And([q.Term("kind", "version"), q.Term("document", "11")]), q.Term("kind", "pqrs")]),
]
HOSTILE = [
    "a" * 200,
    'peticion "sin cerrar',
    '"""',
    "\\ \\\\ \\' '",
    "csc:* petición:*",
    "a & b | !c",
    "&|! ( ) <-> :A :*",
    "'; DROP TABLE search_entries; --",
    "estado:' clase:\\",
    "código:csc-ac' cláusula:8.5.1'",
    "\x00 nulo",
]


@pytest.fixture
def whoosh_backend(tmp_path: Path) -> WhooshBackend:
    backend = WhooshBackend(whoosh_index.create_in(str(tmp_path), SCHEMA))
    backend.update(_entries())
    return backend


@pytest.fixture
def pg_backend(postgresql_url: str) -> Iterator[PostgresBackend]:
    engine = sa.create_engine(postgresql_url)
    backend = PostgresBackend(engine)
    backend.update(_entries())
    yield backend
    engine.dispose()


def _keys(hits: list[dict[str, Any]]) -> set[str]:
    return {hit["key"] for hit in hits}


def _found(backend: SearchBackend, query: q.Query | None, filter: q.Query | None) -> set[str]:
    if query is None:
        return set()
    return _keys(backend.search(query, filter, limit=100, time_limit_s=5))


@pytest.mark.postgres
@pytest.mark.parametrize("filter_at", range(len(FILTERS)))
def test_both_backends_find_the_same_keys(
    whoosh_backend: WhooshBackend, pg_backend: PostgresBackend, filter_at: int
) -> None:
    allowed = FILTERS[filter_at]
    differ = {}
    searches = [(text, False) for text in TYPED] + [(text, True) for text in ANY_WORD]
    nonempty = 0
    for text, any_word in searches:
        parsed = parse(text, any_word=any_word)
        expected = _found(whoosh_backend, parsed, allowed)
        got = _found(pg_backend, parsed, allowed)
        nonempty += bool(expected)
        if expected != got:
            differ[text] = (sorted(expected), sorted(got))
        if parsed is not None:
            assert pg_backend.count(parsed, allowed) == len(got)
            assert whoosh_backend.count(parsed, allowed) == len(expected)
    assert differ == {}
    assert nonempty >= len(searches) // 3  # the searches are not all empty


@pytest.mark.postgres
def test_searches_find_what_they_should(pg_backend: PostgresBackend) -> None:
    """A few expected answers, so that agreement is not agreement on nothing."""

    def found(text: str, any_word: bool = False) -> set[str]:
        return _found(pg_backend, parse(text, any_word=any_word), None)

    assert found("peticion") >= {"version:1", "version:2", "nonconformity:3", "pqrs:7"}
    assert found("csc-ac") == {"version:1", "version:2", "version:3", "nonconformity:3"}
    assert found("CSC-AC-CR-01") == {"version:1", "version:2"}
    assert found("cláusula:8.5.1") == {"version:3", "version:4", "nonconformity:3", "finding:9"}
    assert found("estado:abierta") == {"nonconformity:3", "pqrs:7", "audit:2"}
    assert found("clase:nc") == {"nonconformity:3", "nonconformity:4"}
    assert found('"producción control"') == set()
    assert "version:4" in found('"control de la producción"')
    assert found("persona:luisa") == {"version:1", "version:2", "nonconformity:3", "audit:2"}
    # The title ranks first, a code above the words.
    hits = pg_backend.search(parse("radicacion"), None, limit=10)  # type: ignore[arg-type]
    assert hits[0]["key"] == "version:3"
    hits = pg_backend.search(parse("csc-ac-in-02"), None, limit=10)  # type: ignore[arg-type]
    assert hits[0]["key"] == "version:3"
    assert [hit["key"] for hit in hits] == ["version:3", "nonconformity:3"]
    # With a limit, the title matches come before the content-only ones.
    hits = pg_backend.search(parse("peticion"), None, limit=2)  # type: ignore[arg-type]
    assert {hit["key"] for hit in hits} == {"version:1", "version:2"}


@pytest.mark.postgres
def test_stored_fields_are_the_same(
    whoosh_backend: WhooshBackend, pg_backend: PostgresBackend
) -> None:
    keys = {"version:1", "nonconformity:3", "audit:2", "nothing:1"}
    assert pg_backend.stored(keys) == whoosh_backend.stored(keys)
    assert set(pg_backend.stored(keys)) == keys - {"nothing:1"}
    assert pg_backend.stored(["version:1"])["version:1"]["state"] == "effective"
    assert pg_backend.stored(["nonconformity:3"])["nonconformity:3"]["state"] == "analysed open"
    assert pg_backend.keys() == whoosh_backend.keys() == {e["key"] for e in _entries()}


@pytest.mark.parametrize("name", ["whoosh", pytest.param("pg", marks=pytest.mark.postgres)])
def test_update_replaces_and_remove_removes(request: pytest.FixtureRequest, name: str) -> None:
    backend: SearchBackend = request.getfixturevalue(f"{name}_backend")
    changed = entry(
        "pqrs",
        7,
        code="PQRS-2026-0007",
        title="Sugerencia sobre el horario",
        content="Ampliar el horario de zirconio.",
        state="closed",
        year=2026,
    )
    backend.update([changed])
    assert _found(backend, parse("zirconio"), None) == {"pqrs:7"}
    assert _found(backend, parse("demora"), None) == set()
    assert _found(backend, parse("estado:abierta"), None) == {"nonconformity:3", "audit:2"}
    assert len(backend.keys()) == len(_entries())
    backend.remove(["pqrs:7", "version:1", "nothing:9"])
    assert _found(backend, parse("zirconio"), None) == set()
    assert _found(backend, parse("CSC-AC-CR-01"), None) == {"version:2"}
    assert backend.keys() == {e["key"] for e in _entries()} - {"pqrs:7", "version:1"}


@pytest.mark.postgres
def test_hostile_input_never_errors(
    whoosh_backend: WhooshBackend, pg_backend: PostgresBackend
) -> None:
    for text in HOSTILE:
        parsed = parse(text)
        expected = _found(whoosh_backend, parsed, FILTERS[1])
        assert _found(pg_backend, parsed, FILTERS[1]) == expected, text


def test_an_unchanged_entry_is_not_written_again(whoosh_backend: WhooshBackend) -> None:
    """Every Whoosh write adds a segment and leaves a deleted copy, which slow every search
    until merged: a rebuild's catch-up re-applies thousands of entries, mostly unchanged."""
    before = whoosh_backend.ix.latest_generation()
    whoosh_backend.update(_entries())
    assert whoosh_backend.ix.latest_generation() == before
    changed = {**_entries()[0], "content": "Objetivo nuevo: zirconio."}
    whoosh_backend.update([*_entries()[1:], changed])
    assert whoosh_backend.ix.latest_generation() == before + 1
    assert _found(whoosh_backend, parse("zirconio"), None) == {"version:1"}
    with whoosh_backend.ix.searcher() as searcher:
        assert searcher.doc_count_all() == len(_entries()) + 1  # one new copy, one deleted


@pytest.mark.postgres
def test_hostile_terms_stay_lexemes(pg_backend: PostgresBackend) -> None:
    """Even a term no analyzer would make is one quoted lexeme, not tsquery syntax."""
    for text in HOSTILE:
        hostile = q.Or(
            [
                q.Term("title", text),
                q.Phrase("content", [text, "peticion"]),
                q.Term("people", text),
                q.Term("code", text),
                q.Term("state", text),
                q.Term("key", text),
            ]
        )
        assert pg_backend.search(hostile, q.Term("kind", text)) == [], text
        assert pg_backend.count(hostile) == 0, text
    assert pg_backend.keys() == {e["key"] for e in _entries()}


@pytest.mark.postgres
def test_lexemes_with_quotes_and_backslashes_round_trip(pg_backend: PostgresBackend) -> None:
    odd = ["o'brien", "back\\slash", "a:*", "x & y", "!c", "<->"]
    with pg_backend.engine.connect() as connection:
        for word in odd:
            stored = connection.scalar(
                sa.text("SELECT tsvector_to_array(CAST(:v AS tsvector))"), {"v": lexeme(word)}
            )
            assert stored == [word]
            asked = connection.scalar(
                sa.text("SELECT querytree(CAST(:q AS tsquery))"), {"q": lexeme(word)}
            )
            assert asked == lexeme(word)  # one lexeme, no operator
    for word in odd:
        assert pg_backend.count(q.Term("title", word)) == 0


@pytest.mark.postgres
def test_the_time_limit_stops_a_search(
    pg_backend: PostgresBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """A search waiting past its limit (here on a lock another transaction holds) is cancelled
    by the server; the backend returns nothing, and the next search works."""
    with pg_backend.engine.connect() as other:
        other.execute(sa.text("LOCK TABLE search_entries IN ACCESS EXCLUSIVE MODE"))
        started = time.perf_counter()
        assert pg_backend.search(parse("peticion"), None, time_limit_s=0.2) == []  # type: ignore[arg-type]
        assert time.perf_counter() - started < 2
        other.rollback()
    assert "time limit" in caplog.text
    assert pg_backend.search(parse("peticion"), None) != []  # type: ignore[arg-type]


@pytest.mark.postgres
def test_unsupported_queries_are_refused(pg_backend: PostgresBackend) -> None:
    with pytest.raises(UnsupportedQuery):
        pg_backend.search(q.Prefix("title", "peti"))
    with pytest.raises(UnsupportedQuery):
        pg_backend.search(q.Term("digest", "x"))


@pytest.mark.postgres
def test_codes_by_fragment(pg_backend: PostgresBackend) -> None:
    assert pg_backend.codes_containing("ac-cr") == ["CSC-AC-CR-01"]
    assert pg_backend.codes_containing("2026-00") == [
        "NC-2026-003",
        "NC-2026-004",
        "PQRS-2026-0007",
    ]
    assert pg_backend.codes_containing("%_") == []
    assert pg_backend.codes_containing("ac") == []  # under three characters


def test_row_holds_every_field_in_one_vector() -> None:
    made = row(_entries()[0])
    for tag in (
        "key:version:1",
        "kind:version",
        "document:11",
        "code:csc",
        "code:csc-ac",
        "code:csc-ac-cr-01",
        "clauses:8.2.1",
        "state:effective",
        "type_name:proced",
        "people:luisa",
        "people:fernandez",  # folded, never stemmed
    ):
        assert f"'{tag}'" in made["terms"].split(), tag
    # Title words carry weight A (and rank, in `head`), content words C.
    assert "'atencion':1A" in made["terms"] and "'atencion':1A" in made["head"]
    assert "'objet':" in made["terms"] and "'objet':" not in made["head"]
    assert "'code:csc-ac'" in made["head"]
