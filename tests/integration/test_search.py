"""Search reads the structured content; the index follows commits; the database decides who
sees which hit."""

from __future__ import annotations

import shutil

import pytest

from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import update_draft
from qms.search.backend_of import search_backend
from qms.search.cli import search_group
from qms.search.services import search_entries
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD

CONTENT = [
    {"kind": "text", "text": "### Objetivo\n\nAtención oportuna de las peticiones."},
    {
        "kind": "sipoc",
        "title": "SIPOC",
        "rows": [
            {
                "phase": "H",
                "suppliers": "Afiliados",
                "inputs": "Quejas recibidas",
                "activity": "Tramitar la correspondencia <urgente>",
                "outputs": "Respuesta",
                "clients": "Ciudadanía",
            }
        ],
    },
    {
        "kind": "steps",
        "title": "Actividades",
        "steps": [
            {"id": "1", "task": "Escanear formatos", "how": "Con el escáner del archivo central"}
        ],
    },
]


def _search(app, user_id, query):
    with app.test_request_context():
        hits = search_entries(db.session, user(user_id), search_backend(app), query)
        return [(hit.code, hit.number, hit.state, str(hit.snippet)) for hit in hits]


@pytest.fixture
def documents(app):
    org = build_org(app)
    _, version_id = new_document(app, org, title="Atención de PQRS")
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, content=CONTENT)
        db.session.commit()
    return org, version_id


def test_structured_content_is_found_stemmed_and_without_accents(app, documents):
    org, _ = documents
    for query in ("correspondencia", "queja", "escaner archivo", "atencion oportuna", "PETICION"):
        hits = _search(app, org.owner_id, query)
        assert [(code, number) for code, number, *_ in hits] == [("AC-PR-01", 1)], query
    [(_, _, state, snippet)] = _search(app, org.owner_id, "correspondencia")
    assert state == "draft"
    assert "<mark>correspondencia</mark>" in snippet and "&lt;urgente&gt;" in snippet
    assert "<urgente>" not in snippet
    assert _search(app, org.owner_id, "inexistente") == []
    # Snippets show the words a reader sees, never Markdown source.
    [(_, _, _, snippet)] = _search(app, org.owner_id, "objetivo")
    assert "<mark>Objetivo</mark>" in snippet and "###" not in snippet


def test_staff_find_a_version_only_once_it_is_in_force(app, documents):
    org, version_id = documents
    assert _search(app, org.staff_id, "correspondencia") == []
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    [(code, _, state, _)] = _search(app, org.staff_id, "correspondencia")
    assert (code, state) == ("AC-PR-01", "effective")


def test_a_rolled_back_change_leaves_the_index_alone(app, documents):
    org, version_id = documents
    with app.app_context():
        changed = [{"kind": "text", "text": "Palabra fantasma"}]
        update_draft(db.session, user(org.owner_id), version_id, content=changed)
        db.session.rollback()
    assert _search(app, org.owner_id, "fantasma") == []
    assert len(_search(app, org.owner_id, "correspondencia")) == 1


def test_reindex_rebuilds_a_lost_index_from_the_database(app, documents):
    org, _ = documents
    path = app.extensions["qms_settings"].search_index_path
    app.extensions.pop("qms_search_index", None)
    shutil.rmtree(path)
    assert _search(app, org.owner_id, "correspondencia") == []  # a new, empty index
    result = app.test_cli_runner().invoke(search_group, ["reindex"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 versions indexed")
    assert len(_search(app, org.owner_id, "correspondencia")) == 1
