"""The QR page of a printed copy: public, signed, and honest about whether it is in force."""

from __future__ import annotations

import pytest

from qms.core.db import db
from qms.documents import approval, authoring
from qms.printing.verify_views import verification_url
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD


def _approve(app, org, version_id):
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()


@pytest.fixture
def versions(app):
    org = build_org(app)
    document_id, v1 = new_document(app, org)
    _approve(app, org, v1)
    return org, document_id, v1


def _url(app, version_id):
    with app.test_request_context():
        return verification_url(version_id).replace("http://localhost", "")


def test_anyone_can_check_a_copy_in_force(app, client, versions):
    _, _, v1 = versions
    response = client.get(_url(app, v1))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "AC-PR-01" in page and "flash-success" in page and "vigente" in page


def test_a_superseded_copy_says_not_in_force(app, client, versions):
    org, document_id, v1 = versions
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(db.session, user(org.owner_id), draft.id, change_summary="v2")
        db.session.commit()
        v2 = draft.id
    _approve(app, org, v2)
    page = client.get(_url(app, v1)).get_data(as_text=True)
    assert "flash-error" in page and "NO está vigente" in page and "versión 2" in page


def test_a_forged_token_answers_404(app, client, versions):
    _, _, v1 = versions
    url = _url(app, v1)
    assert client.get(url[:-2] + "xx").status_code == 404
    assert client.get("/verify/1").status_code == 404
