"""Search with the same rules everywhere (issue 15, item 8): `/api/v1/search` and
`qms search query TEXT --as USERNAME [--json]` answer as the page does, for the user they act as."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.capa.services import report_nonconformity
from qms.core.db import db
from qms.core.localtime import local_today
from qms.search.cli import query_command
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import bearer_for, make_user
from tests.web.test_api_shapes import assert_matches


@pytest.fixture
def org(app: Flask) -> Org:
    """AC-PR-01 in force and AC-PR-02 a draft, both about "quejas"."""
    found = build_org(app)
    _, v1 = new_document(app, found, text="Tramitar las quejas a tiempo.")
    through_approval(app, found, v1)
    new_document(app, found, title="Encuestas", text="Las quejas del borrador.")
    return found


def test_the_api_answers_as_the_page_for_the_tokens_owner(
    app: Flask, client: FlaskClient, org: Org
) -> None:
    lead = client.get("/api/v1/search?q=quejas", headers=bearer_for(app, org.approver_id))
    assert lead.status_code == 200
    assert_matches(lead.json, "SearchResults")
    assert sorted(d["code"] for d in lead.json["documents"]) == ["AC-PR-01", "AC-PR-02"]
    assert {f["value"]: f["count"] for f in lead.json["facets"]["state"]} == {
        "draft": 1,
        "effective": 1,
    }
    staff = client.get("/api/v1/search?q=quejas", headers=bearer_for(app, org.staff_id)).json
    assert [d["code"] for d in staff["documents"]] == ["AC-PR-01"]  # drafts stay hidden
    assert "<mark>quejas</mark>" in staff["documents"][0]["versions"][0]["snippet"]


def test_the_api_refuses_a_bad_date_with_the_parameter_named(
    app: Flask, client: FlaskClient, org: Org
) -> None:
    answer = client.get("/api/v1/search?q=quejas&on=ayer", headers=bearer_for(app, org.staff_id))
    assert answer.status_code == 400 and answer.json["error"]["field"] == "on"
    doc = client.get("/api/v1/openapi.json").json
    assert "/search" in doc["paths"]


def test_the_command_searches_as_the_user_it_names(app: Flask, org: Org) -> None:
    runner = app.test_cli_runner()
    lines = runner.invoke(query_command, ["quejas", "--as", "sara"])
    assert lines.exit_code == 0, lines.output
    assert "AC-PR-01" in lines.output and "AC-PR-02" not in lines.output
    as_json = runner.invoke(query_command, ["quejas", "--as", "olga", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["total"] == 2
    unknown = runner.invoke(query_command, ["quejas", "--as", "nadie"])
    assert unknown.exit_code != 0 and "no active user" in unknown.output


def test_records_come_through_the_api_ranked_with_the_documents(
    app: Flask, client: FlaskClient, org: Org
) -> None:
    with app.app_context():
        report_nonconformity(
            db.session,
            user(org.staff_id),
            source="process",
            process_id=org.process_id,
            title="Quejas sin radicar",
            description="Se encontraron quejas sin radicar en la ventanilla.",
            detected_on=local_today(),
            iso_clause="8.2.1",
        )
        db.session.commit()
    lead = client.get("/api/v1/search?q=quejas&sort=date", headers=bearer_for(app, org.approver_id))
    assert lead.status_code == 200, lead.json
    assert_matches(lead.json, "SearchResults")
    (record,) = lead.json["records"]
    assert record["kind"] == "nonconformity" and record["code"].startswith("NC-")
    assert record["url"] == f"/capa/{record['id']}" or record["url"].endswith(f"/{record['id']}")
    assert "<mark>quejas</mark>" in record["snippet"]
    ranks = sorted([d["rank"] for d in lead.json["documents"]] + [record["rank"]])
    assert ranks == list(range(lead.json["total"]))
    kinds = {f["value"]: f["count"] for f in lead.json["facets"]["kind"]}
    assert kinds == {"documento": 2, "nc": 1}
    only = client.get("/api/v1/search?q=quejas clase:nc", headers=bearer_for(app, org.approver_id))
    assert [r["kind"] for r in only.json["records"]] == ["nonconformity"]
    assert only.json["documents"] == []
    open_ones = client.get(
        "/api/v1/search?q=quejas estado:abierta", headers=bearer_for(app, org.approver_id)
    ).json
    assert [r["kind"] for r in open_ones["records"]] == ["nonconformity"]
    # Another process's staff never meets it: no hit, no count.
    stranger = make_user(app, "pedro", ["staff"])
    hidden = client.get("/api/v1/search?q=radicar", headers=bearer_for(app, stranger.id)).json
    assert hidden["total"] == 0 and hidden["records"] == [] and hidden["facets"]["kind"] == []
    bad = client.get("/api/v1/search?q=quejas&sort=rank", headers=bearer_for(app, org.staff_id))
    assert bad.status_code == 400
