"""Readers derive what is in force today; only the tick and writers record it (issue 13, item 7).

Version 2 is approved to take effect tomorrow. When tomorrow comes and no tick has run, every
reader (lists, pages, the API, visibility) already reads version 2 in force and version 1
superseded, and none of them writes a thing. A writer that depends on it records it first.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval, authoring, queries
from qms.documents import master_list as ml
from qms.documents.in_force import (
    in_force_clause,
    is_in_force,
    shown_state,
    shown_state_expr,
)
from qms.documents.models import DocumentVersion, VersionState
from qms.documents.taking_effect import apply_due_transitions
from qms.trail.models import TrailEvent
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import days_pass, login

S = VersionState
pytestmark = pytest.mark.sql


@pytest.fixture
def pending(app: Flask) -> tuple[Org, int, int, int]:
    """(org, document, v1 in force, v2 approved for tomorrow)."""
    org = build_org(app)
    document_id, v1 = new_document(app, org, "Atención de PQRS")
    through_approval(app, org, v1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(db.session, user(org.owner_id), draft.id, change_summary="v2")
        db.session.commit()
        v2 = draft.id
    tomorrow = approval.today() + timedelta(days=1)
    through_approval(app, org, v2, effective_from=tomorrow)
    return org, document_id, v1, v2


def _events(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent)) or 0


def _recorded(app: Flask, document_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(DocumentVersion.number, DocumentVersion.state).where(
                DocumentVersion.document_id == document_id
            )
        )
        return {number: str(state) for number, state in rows}


def test_before_its_day_version_1_is_in_force_and_version_2_is_on_its_way(
    app: Flask, pending: tuple[Org, int, int, int]
) -> None:
    org, document_id, v1, v2 = pending
    with app.app_context():
        staff = user(org.staff_id)
        assert queries.version_in_force(db.session, document_id).id == v1  # type: ignore[union-attr]
        assert queries.open_version(db.session, document_id).id == v2  # type: ignore[union-attr]
        assert not queries.can_see_version(staff, db.session.get(DocumentVersion, v2))


def test_on_its_day_every_reader_sees_version_2_in_force_and_nothing_is_written(
    app: Flask, client: FlaskClient, pending: tuple[Org, int, int, int], monkeypatch
) -> None:
    org, document_id, v1, v2 = pending
    days_pass(monkeypatch, 1)
    login(client, "sara")  # signing in is recorded; reading after it is not
    before = _events(app)
    with app.app_context():
        staff = user(org.staff_id)
        first, second = db.session.get(DocumentVersion, v1), db.session.get(DocumentVersion, v2)
        assert (shown_state(first), shown_state(second)) == (S.SUPERSEDED, S.EFFECTIVE)
        assert queries.version_in_force(db.session, document_id).id == v2  # type: ignore[union-attr]
        assert queries.open_version(db.session, document_id) is None
        # Staff read the version in force only: now that is version 2, and no longer 1.
        assert queries.can_see_version(staff, second)
        assert not queries.can_see_version(staff, first)
        assert [v.number for v in queries.visible_versions(db.session, staff, first.document)] == [
            2
        ]
        [(_doc, in_force, on_its_way)] = queries.list_documents(
            db.session, staff, process_id=None, type_id=None, text="AC-PR-01"
        )
        assert (in_force.id, on_its_way) == (v2, None)  # type: ignore[union-attr]
        [row] = ml.build_master_list(db.session, staff, ml.MasterListFilter(text="AC-PR-01"))
        assert (row.version, row.state) == (2, "effective")
        from qms.api.documents import document_payload  # after the app wired the API

        api = document_payload(staff, first.document)
        assert (api["in_force"]["number"], api["in_force"]["state"]) == (2, "effective")
        assert api["open_version"] is None
        assert not db.session.new and not db.session.dirty
        db.session.rollback()
    for path in ("/documents/", f"/documents/{document_id}", "/dashboard", "/master-list/"):
        response = client.get(path)
        assert response.status_code == 200, path
    page = client.get(f"/documents/versions/{v2}")
    assert page.status_code == 200
    assert client.get(f"/documents/versions/{v1}").status_code == 404
    assert _events(app) == before
    assert _recorded(app, document_id) == {1: "effective", 2: "approved"}


def test_the_tick_records_it_once_and_a_writer_records_it_before_its_check(
    app: Flask, pending: tuple[Org, int, int, int], monkeypatch
) -> None:
    org, document_id, _v1, _v2 = pending
    days_pass(monkeypatch, 1)
    with app.app_context():
        # A new version starts from the one in force today: the writer records v2 first.
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        db.session.commit()
        assert draft.number == 3
    assert _recorded(app, document_id) == {1: "superseded", 2: "effective", 3: "draft"}
    with app.app_context():
        assert apply_due_transitions(db.session) == []


def test_the_sql_rule_and_the_python_rule_agree(
    app: Flask, pending: tuple[Org, int, int, int]
) -> None:
    _org, document_id, _v1, _v2 = pending
    today = approval.today()
    with app.app_context():
        versions = list(
            db.session.scalars(
                sa.select(DocumentVersion).where(DocumentVersion.document_id == document_id)
            )
        )
        for on in (today - timedelta(days=1), today, today + timedelta(days=1)):
            sql = dict(
                db.session.execute(
                    sa.select(DocumentVersion.id, shown_state_expr(on)).where(
                        DocumentVersion.document_id == document_id
                    )
                ).all()
            )
            in_force = set(
                db.session.scalars(
                    sa.select(DocumentVersion.id).where(
                        DocumentVersion.document_id == document_id, in_force_clause(on)
                    )
                )
            )
            for version in versions:
                assert sql[version.id] == shown_state(version, on), (on, version.number)
                assert (version.id in in_force) == is_in_force(version, on), (on, version.number)
            assert len(in_force) == 1
