"""Never a leak (issue 15, item 4): as every demo user, a word that appears only in what that
user may not see gives zero hits, zero facet counts and zero snippets; what they may see, they
find. The database's visibility predicate is the reference."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.demo import USERS, demo_command
from qms.documents.authoring import create_document, update_draft
from qms.documents.models import DocumentType, DocumentVersion
from qms.documents.queries import version_visibility
from qms.processes.models import Process
from qms.search.backend_of import search_backend
from qms.search.results import search
from qms.users.models import User

pytestmark = [pytest.mark.sql, pytest.mark.search_backends]

# One secret word per planted draft, each in a different process.
SECRETS = {"GC": "zafiroprivado", "CL": "rubisecreto"}


def _user(username: str) -> User:
    found = db.session.scalar(sa.select(User).where(User.username == username))
    assert found is not None
    return found


@pytest.fixture
def planted(app: Flask) -> dict[str, int]:
    """The demo organisation plus one draft per secret word; secret → version id."""
    result = app.test_cli_runner().invoke(demo_command)
    assert result.exit_code == 0, result.output
    found: dict[str, int] = {}
    with app.app_context():
        lead = _user("calidad")
        procedure = db.session.scalar(
            sa.select(DocumentType.id).where(DocumentType.key == "procedure")
        )
        for code, word in SECRETS.items():
            process_id = db.session.scalar(sa.select(Process.id).where(Process.code == code))
            document = create_document(
                db.session, lead, type_id=procedure, process_id=process_id, title="Borrador"
            )
            version_id = document.versions[0].id
            text = f"Política del cliente: {word}."
            update_draft(db.session, lead, version_id, content=[{"kind": "text", "text": text}])
            found[word] = version_id
        db.session.commit()
    return found


def test_a_hidden_word_finds_nothing_and_a_visible_one_is_found(
    app: Flask, planted: dict[str, int]
) -> None:
    hidden_somewhere = 0
    for spec in USERS:
        hidden_somewhere += _check(app, spec.username, planted)
    assert hidden_somewhere  # the test would pass vacuously if everyone saw everything


def _check(app: Flask, username: str, planted: dict[str, int]) -> int:
    """Search as `username`; returns how many planted drafts they may not see."""
    hidden = 0
    with app.test_request_context():
        actor = _user(username)
        backend = search_backend(app)
        for word, version_id in planted.items():
            may_see = db.session.scalar(
                sa.select(DocumentVersion.id).where(
                    DocumentVersion.id == version_id, version_visibility(actor, db.session)
                )
            )
            results = search(db.session, actor, backend, word)
            if may_see:
                assert [v.version_id for d in results.documents for v in d.versions] == [version_id]
                assert word in str(results.documents[0].head.snippet)
            else:
                hidden += 1
                assert results.total == 0 and results.documents == [], username
                assert all(not found for found in results.facets.values()), username
        # A word everyone's documents share: every hit and every facet count is visible.
        shared = search(db.session, actor, backend, "cliente", history=True)
        shown = [v.version_id for d in shared.documents for v in d.versions]
        visible = set(
            db.session.scalars(
                sa.select(DocumentVersion.id).where(
                    DocumentVersion.id.in_(shown), version_visibility(actor, db.session)
                )
            )
        )
        assert set(shown) == visible
        # Every hit counts once by kind; the other facets count only the hits they describe.
        assert sum(f.count for f in shared.facets["kind"]) == shared.total
        for found in shared.facets.values():
            assert sum(f.count for f in found) <= shared.total
    return hidden
