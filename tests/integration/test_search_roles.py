"""Never a leak, never a gap, for every role and every kind (issue 15, item 4): on the demo
organisation, what each user finds is exactly what anyone finds that the user's own visibility
rules allow — each kind checked against its model's predicate, read
here straight from the database, not through the search's sources — and every facet counts
only what is shown."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.audits.models import Audit, Finding
from qms.audits.services import audit_visibility
from qms.capa.models import Nonconformity
from qms.capa.pqrs import pqrs_visibility
from qms.capa.pqrs_models import PqrsRequest
from qms.capa.services import nonconformity_visibility
from qms.core.db import db
from qms.documents import change_requests
from qms.documents.models import ChangeRequest, DocumentVersion
from qms.documents.queries import version_visibility
from qms.search.backend_of import search_backend
from qms.search.results import DocumentHit, Results, search
from qms.users.models import User
from tests.demo_app import demo_app

USERS = ("calidad", "gerente", "lider", "auditor", "auditora", "colaborador")
WORDS = ("cliente", "proceso", "calidad", "queja", "auditoría", "registro", "8.2.1", "llamadas")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path) -> Iterator[Flask]:
    with demo_app(tmp_path_factory.mktemp("search-roles"), migrated_sqlite) as (app, _):
        yield app


def _visible(actor: Any) -> dict[str, Callable[[set[int]], set[int]]]:
    """kind → the ids among these the actor may see, by each model's own predicate."""

    def where(column: Any, predicate: Any, join: Any = None) -> Callable[[set[int]], set[int]]:
        def check(ids: set[int]) -> set[int]:
            stmt = sa.select(column).where(column.in_(ids), predicate)
            if join is not None:
                stmt = stmt.join(*join)
            return set(db.session.scalars(stmt))

        return check

    return {
        "version": where(DocumentVersion.id, version_visibility(actor, db.session)),
        "nonconformity": where(Nonconformity.id, nonconformity_visibility(actor)),
        "pqrs": where(PqrsRequest.id, pqrs_visibility(actor)),
        "audit": where(Audit.id, audit_visibility(actor)),
        "finding": where(
            Finding.id, audit_visibility(actor), (Audit, Audit.id == Finding.audit_id)
        ),
        "change_request": where(ChangeRequest.id, change_requests.visibility(actor)),
    }


def _ids(results: Results) -> set[tuple[str, int]]:
    found = set()
    for hit in results.hits:
        if isinstance(hit, DocumentHit):
            found |= {("version", v.version_id) for v in hit.versions}
        else:
            found.add((hit.kind, hit.shown.object_id))
    return found


def _search(app: Flask, actor: Any, word: str) -> Results:
    return search(db.session, actor, search_backend(app), word, history=True, limit=500)


def _user(name: str) -> User:
    found = db.session.scalar(sa.select(User).where(User.username == name))
    assert found is not None
    return found


def test_each_role_finds_exactly_what_it_may_see(demo: Flask) -> None:
    hidden_somewhere = 0
    with demo.test_request_context():
        # What anyone finds: no one role sees every kind (an administrator sees no NCs).
        everything = {
            word: set().union(*(_ids(_search(demo, _user(n), word)) for n in ("admin", *USERS)))
            for word in WORDS
        }
        assert all(everything.values())
        for name in USERS:
            actor = _user(name)
            visible = _visible(actor)
            for word in WORDS:
                results = _search(demo, actor, word)
                found = _ids(results)
                allowed = {
                    (kind, object_id)
                    for kind in visible
                    for object_id in visible[kind]({i for k, i in everything[word] if k == kind})
                }
                # Nothing the user may not see; nothing they may see left out.
                assert found == allowed, (name, word, found ^ allowed)
                hidden_somewhere += len(everything[word] - allowed)
                # Facets count what is shown and nothing else.
                assert sum(f.count for f in results.facets.get("kind", [])) == results.total
                assert results.total == len(results.hits)
    assert hidden_somewhere  # vacuous if every role saw everything
