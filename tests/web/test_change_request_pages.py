"""Change-request pages: each action refused without the permission, done and recorded with it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval
from qms.documents.models import ChangeRequest, Document, DocumentVersion
from tests.documents_fixtures import Org, build_org, new_document, type_id, user
from tests.helpers import PASSWORD, csrf_token, login, trail_events


@pytest.fixture
def org(app) -> Org:
    return build_org(app)


def _as(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _post(client: FlaskClient, path: str, data: dict, form_path: str = "/change-requests/new"):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path)})


def _in_force(app, org: Org) -> int:
    document_id, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return document_id


def _request(app, request_id: int) -> ChangeRequest:
    with app.app_context():
        return db.session.get(ChangeRequest, request_id)


def _new_document_request(app, client: FlaskClient) -> int:
    with app.app_context():
        guide = type_id("guide")
        process_id = db.session.scalar(sa.text("SELECT id FROM processes WHERE code = 'AC'"))
    response = _post(
        client,
        "/change-requests/new",
        {
            "proposed_title": "Guía de cobro",
            "proposed_type_id": guide,
            "proposed_process_id": process_id,
            "reason": "No existe guía.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def test_staff_files_a_creation_request(app, org):
    staff = _as(app, "sara")
    page = staff.get("/change-requests/new")
    assert page.status_code == 200 and 'name="proposed_title"' in page.get_data(as_text=True)
    invalid = _post(staff, "/change-requests/new", {"proposed_title": "Guía", "reason": ""})
    assert invalid.status_code == 400
    assert trail_events(app, "change_request:create") == []
    request_id = _new_document_request(app, staff)
    assert _request(app, request_id).proposed_title == "Guía de cobro"
    assert len(trail_events(app, "change_request:create")) == 1
    html = staff.get(f"/change-requests/{request_id}").get_data(as_text=True)
    assert "Guía de cobro" in html and "No existe guía." in html
    assert f"/change-requests/{request_id}/accept" not in html  # no decision forms for staff
    listing = staff.get("/change-requests/").get_data(as_text=True)
    assert f"/change-requests/{request_id}" in listing


def test_request_for_a_document_in_force(app, org):
    document_id = _in_force(app, org)
    staff = _as(app, "sara")
    path = f"/change-requests/new?document_id={document_id}"
    page = staff.get(path)
    assert page.status_code == 200 and "AC-PR-01" in page.get_data(as_text=True)
    response = _post(staff, path, {"kind": "withdraw", "reason": "Ya no aplica."}, path)
    assert response.status_code == 302
    [event] = trail_events(app, "change_request:create")
    assert '"kind":"withdraw"' in event.after and '"document":"AC-PR-01"' in event.after
    assert _post(staff, path, {"kind": "rename", "reason": "x"}, path).status_code == 400
    # A document staff cannot see answers 404.
    hidden, _ = new_document(app, org, title="Borrador")
    assert staff.get(f"/change-requests/new?document_id={hidden}").status_code == 404


@pytest.mark.parametrize("username", ["sara", "olga", "raul"])
def test_accept_and_reject_refused_without_permission(app, org, username):
    request_id = _new_document_request(app, _as(app, "sara"))
    client = _as(app, username)
    events = len(trail_events(app))
    path = f"/change-requests/{request_id}"
    for action in ("accept", "reject"):
        response = _post(client, f"{path}/{action}", {"reason": "No"}, path)
        assert response.status_code == 403
    assert len(trail_events(app)) == events
    assert _request(app, request_id).state == "open"


def test_quality_lead_accepts_a_creation_request_once(app, org):
    request_id = _new_document_request(app, _as(app, "sara"))
    lead = _as(app, "ana")
    path = f"/change-requests/{request_id}"
    assert f"{path}/accept" in lead.get(path).get_data(as_text=True)
    response = _post(lead, f"{path}/accept", {"reason": ""}, path)
    assert response.status_code == 302
    request = _request(app, request_id)
    assert request.state == "accepted" and request.document_id is not None
    with app.app_context():
        document = db.session.get(Document, request.document_id)
        assert (document.title, document.owner_id) == ("Guía de cobro", org.owner_id)
        draft = db.session.scalar(
            sa.select(DocumentVersion).where(DocumentVersion.change_request_id == request_id)
        )
        assert draft.author_id == org.owner_id
    [event] = trail_events(app, "change_request:accept")
    assert '"authorised_by":"change_request"' in event.after
    html = lead.get(path).get_data(as_text=True)
    assert 'id="cr-versions"' in html and document.code in html
    # The second decision (a reload, a colleague) is a conflict and changes nothing.
    token = csrf_token(lead, "/change-requests/new")
    again = lead.post(f"{path}/accept", data={"csrf_token": token})
    assert again.status_code == 409
    assert (
        lead.post(f"{path}/reject", data={"csrf_token": token, "reason": "No"}).status_code == 409
    )
    assert len(trail_events(app, "change_request:accept")) == 1
    assert trail_events(app, "change_request:reject") == []


def test_quality_lead_rejects_with_a_reason(app, org):
    request_id = _new_document_request(app, _as(app, "sara"))
    lead = _as(app, "ana")
    path = f"/change-requests/{request_id}"
    empty = _post(lead, f"{path}/reject", {"reason": "  "}, path)
    assert empty.status_code == 400 and _request(app, request_id).state == "open"
    assert _post(lead, f"{path}/reject", {"reason": "Ya existe."}, path).status_code == 302
    request = _request(app, request_id)
    assert (request.state, request.decision_reason) == ("rejected", "Ya existe.")
    [event] = trail_events(app, "change_request:reject")
    assert event.reason == "Ya existe."
    # The requester reads the reason.
    assert "Ya existe." in _as(app, "sara").get(path).get_data(as_text=True)


def test_accepted_withdrawal_points_to_the_withdraw_action(app, org):
    document_id = _in_force(app, org)
    path = f"/change-requests/new?document_id={document_id}"
    staff = _as(app, "sara")
    response = _post(staff, path, {"kind": "withdraw", "reason": "Ya no aplica."}, path)
    request_path = response.headers["Location"]
    lead = _as(app, "ana")
    assert _post(lead, f"{request_path}/accept", {}, request_path).status_code == 302
    html = lead.get(request_path).get_data(as_text=True)
    assert 'id="cr-withdrawal"' in html
    with app.app_context():
        states = [v.state for v in db.session.get(Document, document_id).versions]
    assert states == ["effective"]


def test_lists_show_mine_and_all_for_quality_leads(app, org):
    mine = _new_document_request(app, _as(app, "sara"))
    other = _new_document_request(app, _as(app, "raul"))
    staff = _as(app, "sara")
    assert staff.get(f"/change-requests/{other}").status_code == 404
    staff_list = staff.get("/change-requests/").get_data(as_text=True)
    assert (
        f"/change-requests/{mine}" in staff_list and f"/change-requests/{other}" not in staff_list
    )
    assert 'id="all-heading"' not in staff_list
    lead_list = _as(app, "ana").get("/change-requests/?state=open&kind=create")
    html = lead_list.get_data(as_text=True)
    assert 'id="all-heading"' in html and f"/change-requests/{other}" in html
    empty = _as(app, "ana").get("/change-requests/?state=rejected").get_data(as_text=True)
    assert f"/change-requests/{other}" not in empty
    assert _as(app, "ana").get("/change-requests/?state=bogus&kind=bogus").status_code == 200


def test_accept_that_cannot_be_carried_out_leaves_the_request_open(app, org):
    request_id = _new_document_request(app, _as(app, "sara"))
    with app.app_context():
        db.session.execute(sa.text("UPDATE processes SET active = false WHERE code = 'AC'"))
        db.session.commit()
    lead = _as(app, "ana")
    path = f"/change-requests/{request_id}"
    response = _post(lead, f"{path}/accept", {}, path)
    assert response.status_code == 400
    assert f"{path}/accept" in response.get_data(as_text=True)  # still open on the page
    assert _request(app, request_id).state == "open"
    assert trail_events(app, "change_request:accept") == []
