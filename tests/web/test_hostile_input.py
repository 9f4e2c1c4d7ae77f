"""Input an attacker or a broken client sends: ids beyond the integer range and file names
with control characters get a clear 4xx, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.routing.converters import IntegerConverter

from qms.core.db import db
from qms.documents.models import Attachment
from tests.documents_fixtures import Org, build_org, new_document
from tests.helpers import bearer_for, login

HUGE = 2**63  # past PostgreSQL's INTEGER and SQLite's INTEGER alike


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def _int_routes(app: Flask) -> list[str]:
    """Every GET route with an integer in its path, that integer set far out of range."""
    urls = []
    for rule in app.url_map.iter_rules():
        ints = [n for n, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not ints or "GET" not in (rule.methods or ()):
            continue
        values = dict.fromkeys(rule._converters, 1) | dict.fromkeys(ints, 1)
        built = rule.build({**values, **(rule.defaults or {})}, append_unknown=False)
        assert built is not None
        urls.append(built[1].replace("/1", f"/{HUGE}"))
    return urls


def test_ids_beyond_the_integer_range_are_not_found(app, org):
    client = app.test_client()
    assert login(client, "ana").status_code == 302
    token = bearer_for(app, org.approver_id)
    urls = _int_routes(app)
    assert len(urls) > 30
    failures = []
    for url in urls:
        headers = token if url.startswith("/api/") else {}
        status = client.get(url, headers=headers).status_code
        if status != 404:
            failures.append(f"{url}: {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.sql
def test_a_file_name_with_cr_lf_or_nul_is_stored_clean_and_served(app, client, org):
    _, version_id = new_document(app, org)
    owner = bearer_for(app, org.owner_id)
    name = quote("acta\r\nSet-Cookie: x=1\x00.pdf")
    uploaded = client.post(
        f"/api/v1/versions/{version_id}/attachments?filename={name}",
        headers={**owner, "Content-Type": "application/pdf"},
        data=b"%PDF-1.4 acta",
    )
    assert uploaded.status_code == 200, uploaded.get_data(as_text=True)[:300]
    assert uploaded.json["filename"] == "actaSet-Cookie: x=1.pdf"
    with app.app_context():
        stored = db.session.get(Attachment, uploaded.json["id"])
        assert stored is not None and "\x00" not in stored.filename
    download = client.get(
        f"/api/v1/versions/{version_id}/attachments/{uploaded.json['id']}", headers=owner
    )
    assert download.status_code == 200 and "Set-Cookie" not in download.headers
    assert "\r" not in download.headers["Content-Disposition"]
