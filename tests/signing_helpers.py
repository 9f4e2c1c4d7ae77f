"""Helpers of the signing page tests: signed-in clients, signing through a page, and
versions brought to a given state through the services."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval
from qms.documents.models import DocumentVersion, Signature
from tests.documents_fixtures import Org, new_document, user
from tests.helpers import PASSWORD, login, trail_events

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
_DIGEST = re.compile(r'name="content_sha256" type="hidden" value="([^"]*)"')


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def open_page(client: FlaskClient, url: str) -> dict[str, str]:
    """GET a signing page: it must show; returns the form's CSRF token and content hash."""
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    html = response.get_data(as_text=True)
    token, digest = _TOKEN.search(html), _DIGEST.search(html)
    assert token and digest
    return {"csrf_token": token.group(1), "content_sha256": digest.group(1)}


def sign(client: FlaskClient, url: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={**open_page(client, url), **data})


def version(app: Flask, version_id: int) -> DocumentVersion:
    with app.app_context():
        found = db.session.get(DocumentVersion, version_id)
        assert found is not None
        db.session.expunge(found)
        return found


def signatures(app: Flask, version_id: int) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = db.session.query(Signature).filter_by(version_id=version_id).order_by(Signature.id)
        return [(s.meaning, s.printed_name, s.job_title, s.content_sha256) for s in rows]


def actions(app: Flask, action: str) -> int:
    return len(trail_events(app, action))


def in_review(app: Flask, org: Org, **kwargs: str) -> tuple[int, int]:
    document_id, version_id = new_document(app, org, **kwargs)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
    return document_id, version_id


def in_approval(app: Flask, org: Org, **kwargs: str) -> tuple[int, int]:
    document_id, version_id = in_review(app, org, **kwargs)
    with app.app_context():
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
    return document_id, version_id


def effective(app: Flask, org: Org, **kwargs: str) -> tuple[int, int]:
    document_id, version_id = in_approval(app, org, **kwargs)
    with app.app_context():
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return document_id, version_id
