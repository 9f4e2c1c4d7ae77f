"""Spanish that works (issue 15, item 2): every word required, "phrases", codes whole in any
case and by family, clause numbers whole, field filters; nothing typed reaches Whoosh's syntax."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from whoosh import index as whoosh_index
from whoosh.fields import ID, TEXT, Schema

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.documents.authoring import update_draft
from qms.search import services
from qms.search.backend_of import search_backend
from qms.search.query import MAX_PARTS
from qms.search.services import search_entries
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user

ATTENTION = [
    {"kind": "text", "text": "Atención oportuna de la petición de información del ciudadano."},
    {
        "kind": "requirements",
        "title": "Requisitos",
        "iso": ["8.5.1", "9.1.2"],
        "legal": [],
        "internal": [],
    },
]
SURVEYS = [{"kind": "text", "text": "Oportuna medición de la satisfacción; información anual."}]
CITING = [{"kind": "text", "text": "Las quejas se tramitan según AC-PR-01, numeral 8.5."}]


@pytest.fixture
def docs(app: Flask) -> Org:
    """AC-PR-01 in force (8.5.1 cited), AC-PR-02 draft, AC-CR-01 draft citing AC-PR-01."""
    org = build_org(app)
    for title, key, content, approve in (
        ("Atención de PQRS", "procedure", ATTENTION, True),
        ("Encuestas de satisfacción", "procedure", SURVEYS, False),
        ("Caracterización Atención al Cliente", "characterization", CITING, False),
    ):
        _, version_id = new_document(app, org, title=title, key=key)
        with app.app_context():
            update_draft(db.session, user(org.owner_id), version_id, content=content)
            db.session.commit()
        if approve:
            through_approval(app, org, version_id)
    return org


def _codes(app: Flask, org: Org, text: str, **options: bool) -> list[str]:
    with app.test_request_context():
        hits = search_entries(
            db.session, user(org.approver_id), search_backend(app), text, **options
        )
        return sorted(hit.code for hit in hits)


def test_every_word_is_required_unless_any_word_is_asked(app: Flask, docs: Org) -> None:
    assert _codes(app, docs, "peticion de informacion") == ["AC-PR-01"]
    assert _codes(app, docs, "informacion") == ["AC-PR-01", "AC-PR-02"]
    assert _codes(app, docs, "peticion medicion", any_word=True) == ["AC-PR-01", "AC-PR-02"]
    assert _codes(app, docs, "peticion medicion") == []


def test_a_phrase_keeps_its_order(app: Flask, docs: Org) -> None:
    assert _codes(app, docs, '"atencion oportuna"') == ["AC-PR-01"]
    assert _codes(app, docs, '"oportuna atencion"') == []


def test_codes_are_whole_in_any_case_and_found_by_their_family(app: Flask, docs: Org) -> None:
    assert _codes(app, docs, "ac") == ["AC-CR-01", "AC-PR-01", "AC-PR-02"]
    # The family's documents, and one whose text cites a member of it.
    assert _codes(app, docs, "ac-pr") == ["AC-CR-01", "AC-PR-01", "AC-PR-02"]
    assert _codes(app, docs, "ac-cr") == ["AC-CR-01"]
    # The document itself, and the one that cites its code in its text; no other procedure.
    assert _codes(app, docs, "ac-pr-01") == ["AC-CR-01", "AC-PR-01"]
    assert _codes(app, docs, "AC-PR-02") == ["AC-PR-02"]
    assert _codes(app, docs, "código:ac-pr-01") == ["AC-PR-01"]


def test_clause_numbers_are_whole(app: Flask, docs: Org) -> None:
    assert _codes(app, docs, "8.5.1") == ["AC-PR-01"]
    assert _codes(app, docs, "cláusula:8.5.1") == ["AC-PR-01"]
    assert _codes(app, docs, "clausula:9.1.2") == ["AC-PR-01"]
    assert _codes(app, docs, "8.5") == ["AC-CR-01"]  # cited in text; 8.5.1 is another clause


def test_field_filters(app: Flask, docs: Org) -> None:
    assert _codes(app, docs, "tipo:characterization") == ["AC-CR-01"]
    assert _codes(app, docs, "peticion tipo:procedure") == ["AC-PR-01"]
    assert _codes(app, docs, "atencion tipo:procedure") == ["AC-PR-01", "AC-PR-02"]  # process
    assert _codes(app, docs, "estado:vigente") == ["AC-PR-01"]
    assert _codes(app, docs, "estado:borrador") == ["AC-CR-01", "AC-PR-02"]
    assert _codes(app, docs, "proceso:ac") == ["AC-CR-01", "AC-PR-01", "AC-PR-02"]
    assert _codes(app, docs, 'proceso:"atencion al cliente" satisfaccion') == ["AC-PR-02"]
    assert _codes(app, docs, "proceso:XX") == []
    # The people who wrote, own or signed a version: Ana approved only AC-PR-01.
    assert _codes(app, docs, "persona:ana") == ["AC-PR-01"]
    assert _codes(app, docs, "persona:olga") == ["AC-CR-01", "AC-PR-01", "AC-PR-02"]


HOSTILE = ["*", "a*", "*a*", "?", "ac~2", "title:[a TO z]", "content:*", '"', "(((", "OR AND NOT"]


def test_whoosh_syntax_is_only_text(app: Flask, docs: Org) -> None:
    # One organisation for all of them: each is a search, not a change.
    for hostile in HOSTILE:
        started = time.perf_counter()
        assert _codes(app, docs, hostile) == [], hostile
        assert time.perf_counter() - started < 2, hostile


def test_a_query_of_too_many_parts_is_refused(app: Flask, docs: Org) -> None:
    with pytest.raises(ValidationFailed):
        _codes(app, docs, " ".join(["atencion"] * (MAX_PARTS + 1)))


def test_an_index_of_an_older_schema_is_rebuilt_from_the_database(app: Flask, docs: Org) -> None:
    path = app.extensions["qms_settings"].search_index_path
    app.extensions.pop("qms_search_index", None)
    whoosh_index.create_in(str(path), Schema(version_id=ID(stored=True), content=TEXT()))
    assert _codes(app, docs, "peticion") == ["AC-PR-01"]


def test_a_search_past_its_time_limit_stops_in_any_thread(
    app: Flask, docs: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The limit is a timer thread, not SIGALRM: it works in a worker thread, and a search that
    runs out of time answers with what it has rather than failing."""
    monkeypatch.setattr(services, "TIME_LIMIT_S", 0.0)
    found: list[list[str]] = []

    def run() -> None:
        found.append(_codes(app, docs, "informacion"))

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=10)
    assert len(found) == 1 and set(found[0]) <= {"AC-PR-01", "AC-PR-02"}
