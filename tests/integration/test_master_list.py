"""The master list service and `qms documents list`: rows, visibility, filters, sort, reviews."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

import qms.cli
from qms.core.db import db
from qms.documents import approval, authoring
from qms.documents import master_list as ml
from qms.documents.queries import add_months
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import PASSWORD, days_pass, make_user


@dataclass
class Docs:
    org: Org
    effective: int  # AC-PR-01, procedure in force
    characterization: int  # AC-CR-01, in force
    draft: int  # AC-PR-02, first draft
    in_review: int  # AC-PR-03, submitted
    withdrawn: int  # AC-PR-04, obsolete


@pytest.fixture
def docs(app: Flask) -> Docs:
    org = build_org(app)
    effective, v1 = new_document(app, org, "Atención de PQRS")
    through_approval(app, org, v1)
    characterization, v2 = new_document(
        app, org, "Caracterización Atención al Cliente", key="characterization"
    )
    through_approval(app, org, v2)
    draft, _ = new_document(app, org, "Encuestas de satisfacción")
    in_review, v4 = new_document(app, org, "Manejo de quejas")
    withdrawn, v5 = new_document(app, org, "Tarifas 2020")
    through_approval(app, org, v5)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), v4, PASSWORD)
        approval.withdraw_document(
            db.session, user(org.approver_id), withdrawn, PASSWORD, "Ya no aplica."
        )
        db.session.commit()
    return Docs(org, effective, characterization, draft, in_review, withdrawn)


def rows_for(app: Flask, user_id: int, **filters: object) -> list[ml.MasterListRow]:
    with app.app_context():
        rows = ml.build_master_list(db.session, user(user_id), ml.MasterListFilter(**filters))  # type: ignore[arg-type]
        db.session.commit()
        return rows


def codes(rows: list[ml.MasterListRow]) -> list[str]:
    return [r.code for r in rows]


def test_rows_hold_the_current_version_of_every_document(app: Flask, docs: Docs) -> None:
    rows = {r.code: r for r in rows_for(app, docs.org.approver_id)}
    assert sorted(rows) == ["AC-CR-01", "AC-PR-01", "AC-PR-02", "AC-PR-03", "AC-PR-04"]
    today = approval.today()
    pqrs = rows["AC-PR-01"]
    assert (pqrs.title, pqrs.type_name, pqrs.process, pqrs.owner) == (
        "Atención de PQRS",
        "Procedimiento",
        "AC – Atención al Cliente",
        "Olga",
    )
    assert (pqrs.version, pqrs.effective_from, pqrs.state) == (1, today, "effective")
    assert pqrs.next_review_on == add_months(today, 24)
    assert (rows["AC-PR-02"].state, rows["AC-PR-02"].next_review_on) == ("draft", None)
    assert rows["AC-PR-02"].effective_from is None
    assert rows["AC-PR-03"].state == "in_review"
    assert (rows["AC-PR-04"].state, rows["AC-PR-04"].next_review_on) == ("obsolete", None)
    assert rows["AC-CR-01"].type_key == "characterization"


@pytest.mark.sql
def test_staff_and_outsiders_see_only_documents_in_force(app: Flask, docs: Docs) -> None:
    in_force = ["AC-CR-01", "AC-PR-01"]
    assert codes(rows_for(app, docs.org.staff_id)) == in_force
    # pablo is a process owner, but not of AC: drafts of AC stay hidden from him.
    outsider = make_user(app, "pablo", ["process_owner"])
    assert codes(rows_for(app, outsider.id)) == in_force
    auditor = make_user(app, "aud", ["auditor"])
    assert len(rows_for(app, auditor.id)) == 5
    # olga leads AC: she sees its drafts, reviews and withdrawn documents too.
    assert len(rows_for(app, docs.org.owner_id)) == 5


def test_a_new_version_on_its_way_leaves_the_row_on_the_version_in_force(
    app: Flask, docs: Docs, monkeypatch: pytest.MonkeyPatch
) -> None:
    tomorrow = approval.today() + timedelta(days=1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(docs.org.owner_id), docs.effective)
        authoring.update_draft(
            db.session, user(docs.org.owner_id), draft.id, change_summary="Nuevo plazo."
        )
        db.session.commit()
        draft_id = draft.id
    through_approval(app, docs.org, draft_id, effective_from=tomorrow)
    row = rows_for(app, docs.org.approver_id, text="AC-PR-01")[0]
    assert (row.version, row.state) == (1, "effective")
    # On its day the listing reads it in force, whether or not the tick has run.
    days_pass(monkeypatch, 1)
    row = rows_for(app, docs.org.staff_id, text="AC-PR-01")[0]
    assert (row.version, row.state, row.effective_from) == (2, "effective", tomorrow)


@pytest.mark.sql
def test_filters(app: Flask, docs: Docs) -> None:
    lead = docs.org.approver_id
    assert codes(rows_for(app, lead, state="draft")) == ["AC-PR-02"]
    assert codes(rows_for(app, lead, state="obsolete")) == ["AC-PR-04"]
    assert codes(rows_for(app, lead, type="characterization")) == ["AC-CR-01"]
    assert len(rows_for(app, lead, process="ac")) == 5
    assert rows_for(app, lead, process="XX") == []
    # Text in code or title, accents and case ignored.
    assert codes(rows_for(app, lead, text="atencion")) == ["AC-CR-01", "AC-PR-01"]
    assert codes(rows_for(app, lead, text="pr-03")) == ["AC-PR-03"]
    assert codes(rows_for(app, docs.org.staff_id, state="draft")) == []


@pytest.mark.sql
def test_sort_by_any_column_both_ways(app: Flask, docs: Docs) -> None:
    lead = docs.org.approver_id
    titles = [r.title for r in rows_for(app, lead, sort="title")]
    assert titles == sorted(titles, key=ml.fold)
    assert [r.title for r in rows_for(app, lead, sort="title", descending=True)] == titles[::-1]
    assert codes(rows_for(app, lead, sort="code", descending=True))[0] == "AC-PR-04"
    with app.app_context():
        labels = [r.state_label for r in rows_for(app, lead, sort="state")]
    assert labels == sorted(labels, key=ml.fold)
    # Rows without a next review come last in either direction.
    for descending in (False, True):
        rows = rows_for(app, lead, sort="next_review_on", descending=descending)
        assert [r.next_review_on is None for r in rows] == [False, False, True, True, True]
    for key in ml.SORT_KEYS:
        assert len(rows_for(app, lead, sort=key, descending=True)) == 5


def test_next_review_moves_with_reviewed_no_change(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = build_org(app)
    long_ago = approval.today() - timedelta(days=800)
    document_id, version_id = new_document(app, org, "Atención de PQRS")
    with monkeypatch.context() as patched:
        patched.setattr(approval, "today", lambda: long_ago)
        through_approval(app, org, version_id)
    row = rows_for(app, org.owner_id)[0]
    assert row.effective_from == long_ago and row.next_review_on == add_months(long_ago, 24)
    with app.app_context():
        due = ml.list_reviews_due(db.session, user(org.staff_id))
        assert [(d.row.code, d.days_overdue) for d in due] == [
            ("AC-PR-01", (approval.today() - add_months(long_ago, 24)).days)
        ]
        assert due[0].days_overdue > 0
        approval.record_periodic_review(db.session, user(org.owner_id), document_id, PASSWORD)
        db.session.commit()
    row = rows_for(app, org.owner_id)[0]
    assert row.next_review_on == add_months(approval.today(), 24)
    with app.app_context():
        assert ml.list_reviews_due(db.session, user(org.owner_id)) == []


def test_reviews_due_within_a_horizon_and_owned_only(app: Flask, docs: Docs) -> None:
    later = add_months(approval.today(), 24)
    with app.app_context():
        lead, staff = user(docs.org.approver_id), user(docs.org.staff_id)
        assert ml.list_reviews_due(db.session, lead) == []
        due = ml.list_reviews_due(db.session, lead, on=later - timedelta(days=10), within_days=30)
        assert [(d.row.code, d.days_overdue) for d in due] == [("AC-CR-01", -10), ("AC-PR-01", -10)]
        assert len(ml.list_reviews_due(db.session, staff, on=later)) == 2
        assert ml.list_reviews_due(db.session, staff, on=later, owned_only=True) == []
        owner = user(docs.org.owner_id)
        assert len(ml.list_reviews_due(db.session, owner, on=later, owned_only=True)) == 2


def test_cli_prints_every_document_as_json(app: Flask, docs: Docs) -> None:
    result = app.test_cli_runner().invoke(qms.cli.main, ["documents", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["code"] for r in rows] == ["AC-CR-01", "AC-PR-01", "AC-PR-02", "AC-PR-03", "AC-PR-04"]
    first = rows[1]
    today = approval.today()
    assert first == {
        "code": "AC-PR-01",
        "title": "Atención de PQRS",
        "type": "procedure",
        "process": "AC",
        "version": 1,
        "effective_from": today.isoformat(),
        "owner": "Olga",
        "next_review_on": add_months(today, 24).isoformat(),
        "state": "effective",
    }
    assert date.fromisoformat(first["effective_from"]) == today


def test_cli_filters_and_table(app: Flask, docs: Docs) -> None:
    runner = app.test_cli_runner()
    args = ["documents", "list", "--json", "--process", "AC", "--type", "procedure"]
    result = runner.invoke(qms.cli.main, [*args, "--state", "draft"])
    assert [r["code"] for r in json.loads(result.output)] == ["AC-PR-02"]
    result = runner.invoke(qms.cli.main, ["documents", "list", "--state", "effective"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("CODE") and "NEXT REVIEW" in lines[0]
    assert [line.split()[0] for line in lines[2:4]] == ["AC-CR-01", "AC-PR-01"]
    assert lines[-1] == "2 documents."
    bad = runner.invoke(qms.cli.main, ["documents", "list", "--state", "nonsense"])
    assert bad.exit_code == 2
