"""The search page: staff find the version in force; hits are escaped; a bad query is a 400."""

from __future__ import annotations

from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import update_draft
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, login


def _approved(app):
    org = build_org(app)
    _, version_id = new_document(app, org, title="Atención de PQRS")
    content = [{"kind": "text", "text": "Registrar la <b>queja</b> en el sistema Almera."}]
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, content=content)
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return version_id


def test_staff_search_and_open_the_version_in_force(app, client):
    version_id = _approved(app)
    login(client, "sara")
    response = client.get("/search?q=almera")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 resultado para" in html and f'href="/documents/versions/{version_id}"' in html
    assert "&lt;b&gt;queja&lt;/b&gt;" in html and "<b>queja</b>" not in html
    assert "<mark>Almera</mark>" in html
    assert 'href="/search"' in client.get("/dashboard").get_data(as_text=True)  # in the menu


def test_a_too_long_query_is_refused_with_a_message(app, client):
    build_org(app)
    login(client, "sara")
    response = client.get("/search", query_string={"q": "x" * 201})
    assert response.status_code == 400
    assert "La búsqueda es demasiado larga." in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/search?q=almera")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
