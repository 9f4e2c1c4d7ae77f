"""My work on the dashboard: signatures waiting, drafts, periodic reviews, change requests to
decide (the other domains' cards: tests/web/test_home_work.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval
from qms.documents.change_requests import file_change_request
from qms.documents.models import DocumentVersion
from tests.documents_fixtures import Org, build_org, new_document, type_id, user
from tests.helpers import PASSWORD, login


@pytest.fixture
def org(app) -> Org:
    return build_org(app)


def _as(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def _dashboard(app, username: str) -> str:
    response = _as(app, username).get("/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _submitted(app, org: Org, title: str = "Atención de PQRS") -> int:
    _, version_id = new_document(app, org, title=title)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
    return version_id


def test_landing_page_after_login_is_the_dashboard(app, org):
    client = _as(app, "olga")
    assert client.get("/").headers["Location"].endswith("/dashboard")
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'id="my-work"' in html and "Atención al Cliente" in html  # and My processes


def test_reviewer_sees_the_version_waiting_for_them(app, org):
    _submitted(app, org)
    waiting = _section(_dashboard(app, "raul"), "to-sign")
    assert "AC-PR-01" in waiting and "stage-in_review" in waiting


def test_author_does_not_see_their_own_version_as_waiting(app, org):
    _submitted(app, org)
    html = _dashboard(app, "olga")
    assert "AC-PR-01" not in _section(html, "to-sign")
    assert "AC-PR-01" not in _section(html, "my-drafts")  # submitted: no longer a draft


def test_staff_have_nothing_to_sign(app, org):
    _submitted(app, org)
    assert "AC-PR-01" not in _dashboard(app, "sara")


def test_approver_sees_it_after_review_and_reviewer_no_longer(app, org):
    version_id = _submitted(app, org)
    with app.app_context():
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
    assert "AC-PR-01" not in _section(_dashboard(app, "raul"), "to-sign")
    waiting = _section(_dashboard(app, "ana"), "to-sign")
    assert "AC-PR-01" in waiting and "stage-in_approval" in waiting


def test_owner_sees_their_drafts(app, org):
    new_document(app, org, title="Borrador propio")
    drafts = _section(_dashboard(app, "olga"), "my-drafts")
    assert "AC-PR-01" in drafts and "Borrador propio" in drafts
    assert "AC-PR-01" not in _dashboard(app, "raul")


def test_owner_sees_the_overdue_review(app, org):
    version_id = _submitted(app, org)
    with app.app_context():
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        # The version took effect long ago (effective_from is not a signed field).
        long_ago = approval.today().replace(year=approval.today().year - 3)
        db.session.execute(
            sa.update(DocumentVersion)
            .where(DocumentVersion.id == version_id)
            .values(effective_from=long_ago)
        )
        db.session.commit()
    due = _section(_dashboard(app, "olga"), "reviews-due")
    assert "AC-PR-01" in due and "badge overdue" in due
    assert "AC-PR-01" not in _section(_dashboard(app, "raul"), "reviews-due")


def test_change_requests_waiting(app, org):
    with app.app_context():
        for actor_id, title in ((org.staff_id, "Guía de caja"), (org.reviewer_id, "Manual")):
            file_change_request(
                db.session,
                user(actor_id),
                "create",
                "Hace falta.",
                proposed_title=title,
                proposed_type_id=type_id("guide"),
                proposed_process_id=org.process_id,
            )
        db.session.commit()
    lead = _section(_dashboard(app, "ana"), "change-requests")
    assert "Guía de caja" in lead and "Manual" in lead and "/change-requests/" in lead
    # Deciding is not staff's work: the card never applies to them.
    assert 'id="change-requests"' not in _dashboard(app, "sara")
