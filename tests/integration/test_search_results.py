"""Results for auditors (issue 15, item 3): one hit per document with the version in force first,
history on request, "in force on D" from the lifecycle's dates, facets with counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval, authoring
from qms.search import results as results_module
from qms.search import services
from qms.search.backend_of import search_backend
from qms.search.results import Results, search
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import login

LONG_AGO = approval.today() - timedelta(days=400)


@pytest.fixture
def history(app: Flask, monkeypatch: pytest.MonkeyPatch) -> tuple[Org, int, int]:
    """AC-PR-01: v1 in force from LONG_AGO, superseded today by v2; both say "quejas".
    AC-PR-02, a draft, says "quejas" too."""
    org = build_org(app)
    document_id, v1 = new_document(app, org, text="Tramitar las quejas en diez días.")
    with monkeypatch.context() as patched:
        patched.setattr(approval, "today", lambda: LONG_AGO)
        through_approval(app, org, v1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session,
            user(org.owner_id),
            draft.id,
            content=[{"kind": "text", "text": "Tramitar las quejas en cinco días."}],
            change_summary="Plazo más corto.",
        )
        db.session.commit()
        v2 = draft.id
    through_approval(app, org, v2)
    new_document(app, org, title="Encuestas", text="Las quejas se miden cada mes.")
    return org, v1, v2


def _search(app: Flask, org: Org, text: str, **options: object) -> Results:
    with app.test_request_context():
        return search(db.session, user(org.approver_id), search_backend(app), text, **options)  # type: ignore[arg-type]


def _shown(results: Results) -> list[tuple[str, list[tuple[int, str]]]]:
    return [(d.code, [(v.number, v.state) for v in d.versions]) for d in results.documents]


def test_one_hit_per_document_in_force_first_history_on_request(
    app: Flask, history: tuple[Org, int, int]
) -> None:
    org, _v1, _v2 = history
    assert sorted(_shown(_search(app, org, "quejas"))) == [
        ("AC-PR-01", [(2, "effective")]),
        ("AC-PR-02", [(1, "draft")]),
    ]
    with_history = dict(_shown(_search(app, org, "quejas", history=True)))
    assert with_history["AC-PR-01"] == [(2, "effective"), (1, "superseded")]


def test_in_force_on_a_day_is_the_version_effective_that_day(
    app: Flask, history: tuple[Org, int, int]
) -> None:
    org, _v1, _v2 = history
    before = _search(app, org, "quejas", in_force_on_day=LONG_AGO + timedelta(days=30))
    assert _shown(before) == [("AC-PR-01", [(1, "superseded")])]
    today = _search(app, org, "quejas", in_force_on_day=approval.today())
    assert _shown(today) == [("AC-PR-01", [(2, "effective")])]
    assert _search(app, org, "quejas", in_force_on_day=LONG_AGO - timedelta(days=1)).total == 0
    # What version 1 said is found on its days, not after.
    assert _search(app, org, "diez", in_force_on_day=LONG_AGO).total == 1
    assert _search(app, org, "diez", in_force_on_day=approval.today()).total == 0


def test_facets_count_documents(app: Flask, history: tuple[Org, int, int]) -> None:
    org, _v1, _v2 = history
    facets = _search(app, org, "quejas").facets
    assert [(f.value, f.count) for f in facets["process"]] == [("AC", 2)]
    assert sorted((f.value, f.count) for f in facets["state"]) == [("draft", 1), ("effective", 1)]
    assert [(f.value, f.count) for f in facets["type"]] == [("procedure", 2)]
    year = str(approval.today().year)
    assert (year, 2) in [(f.value, f.count) for f in facets["year"]]
    refined = _search(app, org, "quejas estado:vigente")
    assert [d.code for d in refined.documents] == ["AC-PR-01"]


def test_the_page_shows_facets_and_folds_versions(
    app: Flask, client: FlaskClient, history: tuple[Org, int, int]
) -> None:
    login(client, "ana")
    page = client.get("/search?q=quejas&history=1").get_data(as_text=True)
    assert "AC-PR-01" in page and "AC-PR-02" in page
    assert 'class="facets' in page and "q=quejas+proceso:AC" in page
    assert "1 versión más que coincide" in page
    bad = client.get("/search?q=quejas&on=ayer")
    assert bad.status_code == 400 and "AAAA-MM-DD" in bad.get_data(as_text=True)


def test_hidden_versions_never_crowd_out_visible_ones(
    app: Flask, history: tuple[Org, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff see AC-PR-01 v2 only; drafts that outrank it are filtered out in the index, so a
    small candidate window still holds it (the database alone would have found nothing)."""
    org, _v1, v2 = history
    for n in range(3):
        new_document(app, org, title=f"Quejas {n}", text="Quejas, quejas y más quejas.")
    monkeypatch.setattr(services, "CANDIDATES", 2)
    monkeypatch.setattr(results_module, "CANDIDATES", 2)
    with app.test_request_context():
        found = search(db.session, user(org.staff_id), search_backend(app), "quejas")
    assert [v.version_id for d in found.documents for v in d.versions] == [v2]
