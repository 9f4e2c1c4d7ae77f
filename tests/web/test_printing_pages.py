"""The print page: choose the copy and the paper; the download is on record."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from qms.core.db import db
from qms.documents import approval
from qms.printing import copies
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, login, trail_events


@pytest.fixture
def effective(app):
    org = build_org(app)
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return org, version_id


def test_staff_sees_only_the_uncontrolled_choice(client, effective):
    _, version_id = effective
    login(client, "sara")
    page = client.get(f"/print/versions/{version_id}").get_data(as_text=True)
    assert "Letter" in page and "N° 1" not in page and "No. 1" not in page


@pytest.mark.slow
def test_lead_picks_a_controlled_copy_in_letter(app, client, effective):
    org, version_id = effective
    with app.test_request_context():
        copy = copies.issue_controlled_copy(db.session, user(org.approver_id), version_id, "Bodega")
        db.session.commit()
        copy_id = copy.id
    login(client, "ana")
    page = client.get(f"/print/versions/{version_id}").get_data(as_text=True)
    assert "Bodega" in page
    response = client.get(f"/print/versions/{version_id}.pdf?copy={copy_id}&size=Letter")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.data))
    assert round(float(reader.pages[0].mediabox.width)) == 612
    assert "Bodega" in reader.pages[0].extract_text()
    [event] = trail_events(app, "document:print")
    assert '"copy":"controlled"' in event.after and '"page_size":"Letter"' in event.after


def test_staff_cannot_print_a_controlled_copy(app, client, effective):
    _org, version_id = effective
    login(client, "sara")
    assert client.get(f"/print/versions/{version_id}.pdf?copy=1").status_code == 403
    assert trail_events(app, "document:print") == []
