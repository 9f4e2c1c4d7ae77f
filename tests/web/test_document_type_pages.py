"""Document type pages: refused without document_type:manage, done and recorded with it."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.documents.models import DocumentType
from tests.helpers import PASSWORD, csrf_token, login, make_user, trail_events

FORM = {
    "key": "record_guide",
    "name": "Guía de registro",
    "abbreviation": "gr",
    "code_pattern": "{process}-{type}-{seq:02}",
    "default_blocks": ["text", "table"],
    "review_interval_months": "12",
    "review_roles": ["quality_lead", "process_owner"],
    "review_count": "1",
    "approval_roles": ["quality_lead"],
    "approval_count": "1",
}


@pytest.fixture
def lead(app, client):
    """A quality lead reading the pages in English, so that the tests can quote messages."""
    make_user(app, "lucia", ["quality_lead"], full_name="Lucía Lead", locale="en")
    assert login(client, "lucia", PASSWORD).status_code == 302
    return client


def _type(app, key: str) -> DocumentType | None:
    with app.app_context():
        return db.session.scalar(sa.select(DocumentType).where(DocumentType.key == key))


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/dashboard")})


def _type_events(app) -> list:
    return [e for e in trail_events(app) if e.action.startswith("document_type:")]


@pytest.mark.parametrize("role", ["staff", "process_owner", "auditor", "admin", "approver"])
def test_pages_refused_without_permission(app, client_as, role):
    client = client_as(role)
    procedure = _type(app, "procedure")
    assert client.get("/document-types/").status_code == 403
    assert client.get("/document-types/new").status_code == 403
    assert client.get(f"/document-types/{procedure.id}/edit").status_code == 403
    assert _post(client, "/document-types/new", FORM).status_code == 403
    assert _post(client, f"/document-types/{procedure.id}/edit", FORM).status_code == 403
    assert _post(client, f"/document-types/{procedure.id}/deactivate", {}).status_code == 403
    assert _type(app, "record_guide") is None and _type(app, "procedure").active
    assert _type_events(app) == []
    assert 'href="/document-types/"' not in client.get("/dashboard").get_data(as_text=True)


def test_quality_lead_sees_every_type_with_pattern_interval_and_route(lead):
    client = lead
    assert 'href="/document-types/"' in client.get("/dashboard").get_data(as_text=True)
    html = client.get("/document-types/").get_data(as_text=True)
    for name in ("Procedimiento", "Formato", "Documento externo", "Caracterización"):
        assert name in html
    assert "{parent}-{type}-{seq:02}" in html and "EXT-{process}-{seq:03}" in html
    assert "24 months" in html and "Quality lead" in html and '<th scope="col">' in html


def test_quality_lead_creates_a_type(app, lead):
    client = lead
    page = client.get("/document-types/new").get_data(as_text=True)
    assert 'for="key"' in page and 'name="review_users"' in page
    response = _post(client, "/document-types/new", FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = _type(app, "record_guide")
    assert created.abbreviation == "GR" and created.review_interval_months == 12
    assert created.route["review"] == {
        "roles": ["quality_lead", "process_owner"],
        "users": [],
        "count": 1,
        "sequential": False,
    }
    events = trail_events(app, "document_type:create")
    assert len(events) == 1 and json.loads(events[0].after)["key"] == "record_guide"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code_pattern": "{process}-{type}"}, "exactly one {seq}"),
        ({"review_interval_months": "500"}, "between 1 and 120"),
        ({"key": "procedure"}, "is taken"),
        ({"review_roles": ["boss"]}, "Not a valid choice"),
        ({"review_count": "0"}, "between 1 and 20"),
    ],
)
def test_invalid_create_answers_400_with_the_error(app, lead, changes, message):
    client = lead
    response = _post(client, "/document-types/new", {**FORM, **changes})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message.lower() in html.lower(), html[:3000]
    assert 'aria-invalid="true"' in html or 'role="alert"' in html
    assert trail_events(app, "document_type:create") == []


def test_quality_lead_edits_the_route_with_named_users_in_sequence(app, lead):
    rita = make_user(app, "rita", ["quality_lead"], full_name="Rita Mora").id
    raul = make_user(app, "raul", ["process_owner"], full_name="Raúl Pérez").id
    make_user(app, "sara", ["staff"], full_name="Sara Staff")
    client = lead
    procedure = _type(app, "procedure")
    page = client.get(f"/document-types/{procedure.id}/edit").get_data(as_text=True)
    # Any active user may be named (being named is what lets one sign the stage).
    assert "Rita Mora" in page and "Raúl Pérez" in page and "Sara Staff" in page
    assert 'id="review_roles-0"' in page and "checked" in page and 'name="key"' not in page
    data = {
        **FORM,
        "name": "Procedimiento",
        "abbreviation": "PR",
        "review_roles": [],
        "review_users": [str(rita), str(raul)],
        "review_count": "2",
        "review_sequential": "y",
    }
    del data["key"]
    response = _post(client, f"/document-types/{procedure.id}/edit", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    route = _type(app, "procedure").route
    assert route["review"] == {"roles": [], "users": [rita, raul], "count": 2, "sequential": True}
    events = trail_events(app, "document_type:update")
    assert len(events) == 1 and "route" in json.loads(events[0].after)
    assert "key" not in json.loads(events[0].after)
    # Named users show first on the page, in their order on the route.
    page = client.get(f"/document-types/{procedure.id}/edit").get_data(as_text=True)
    assert page.index("Rita Mora") < page.index("Raúl Pérez")
    refused = _post(
        client,
        f"/document-types/{procedure.id}/edit",
        {**data, "review_users": [str(rita)], "review_count": "2"},
    )
    assert refused.status_code == 400
    assert "more signatures than it names users" in refused.get_data(as_text=True)
    unknown = _post(
        client, f"/document-types/{procedure.id}/edit", {**data, "review_users": ["99999"]}
    )
    assert unknown.status_code == 400
    assert len(trail_events(app, "document_type:update")) == 1


def test_quality_lead_deactivates_and_reactivates_a_type(app, lead):
    client = lead
    guide = _type(app, "guide")
    response = _post(client, f"/document-types/{guide.id}/deactivate", {})
    assert response.status_code == 302
    assert not _type(app, "guide").active
    assert "Inactive" in client.get("/document-types/").get_data(as_text=True)
    assert _post(client, f"/document-types/{guide.id}/activate", {}).status_code == 302
    assert _type(app, "guide").active
    assert [e.action for e in _type_events(app)] == [
        "document_type:deactivate",
        "document_type:activate",
    ]
    assert client.get("/document-types/9999/edit").status_code == 404
    assert _post(client, "/document-types/9999/deactivate", {}).status_code == 404


def test_anonymous_goes_to_login_and_a_post_without_token_is_refused(app, client, lead):
    guide = _type(app, "guide")
    anonymous = app.test_client()
    response = anonymous.get("/document-types/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert lead.post(f"/document-types/{guide.id}/deactivate").status_code == 400
    assert lead.post("/document-types/new", data=FORM).status_code == 400
    assert _type(app, "guide").active and _type_events(app) == []
