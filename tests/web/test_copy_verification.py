"""The QR page of a printed copy: public, signed, and honest about whether it is in force."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from qms.core.db import db
from qms.core.timefmt import format_moment
from qms.documents import approval, authoring
from qms.printing.models import ControlledCopy
from qms.printing.tokens import serializer, verification_url
from tests.documents_fixtures import build_org, new_document, through_approval, user
from tests.helpers import PASSWORD, csrf_token, days_pass, login, trail_events


@pytest.fixture
def versions(app):
    org = build_org(app)
    document_id, v1 = new_document(app, org)
    through_approval(app, org, v1)
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
    through_approval(app, org, v2)
    page = client.get(_url(app, v1)).get_data(as_text=True)
    assert "flash-error" in page and "NO está vigente" in page and "versión 2" in page


def test_the_page_knows_a_new_version_took_effect_without_anyone_ticking(app, client, versions):
    org, document_id, v1 = versions
    tomorrow = approval.today() + timedelta(days=1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(db.session, user(org.owner_id), draft.id, change_summary="v2")
        approval.submit_version(db.session, user(org.owner_id), draft.id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), draft.id, PASSWORD)
        approval.approve_version(
            db.session, user(org.approver_id), draft.id, PASSWORD, effective_from=tomorrow
        )
        db.session.commit()
    assert "flash-success" in client.get(_url(app, v1)).get_data(as_text=True)
    taken = len(trail_events(app, "document:take_effect"))
    with pytest.MonkeyPatch.context() as patch:
        days_pass(patch, 1)  # the date comes; no tick has run
        page = client.get(_url(app, v1)).get_data(as_text=True)
    assert "NO está vigente" in page and "versión 2" in page
    # Derived, not recorded: a public GET writes nothing.
    assert len(trail_events(app, "document:take_effect")) == taken


def test_a_forged_token_answers_404(app, client, versions):
    _, _, v1 = versions
    url = _url(app, v1)
    assert client.get(url[:-2] + "xx").status_code == 404
    assert client.get("/verify/1").status_code == 404


# Each print carries its own QR: the page names the copy in hand, not just its version.

VERIFY_URL = re.compile(r"https?://[^/\s]+(/verify/[A-Za-z0-9_.\-]+)")


def _verify_path(pdf: bytes) -> str:
    """The verification link printed on the copy (the QR encodes the same URL)."""
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    paths = set(VERIFY_URL.findall(text))
    assert len(paths) == 1, paths
    return paths.pop()


def _supersede(app, org, document_id):
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(db.session, user(org.owner_id), draft.id, change_summary="v2")
        db.session.commit()
        v2 = draft.id
    through_approval(app, org, v2)


def test_each_uncontrolled_print_gets_its_own_qr_naming_who_printed_it_and_when(
    app, client, versions
):
    _, _, v1 = versions
    staff, lead = app.test_client(), app.test_client()
    login(staff, "sara")
    login(lead, "ana")
    first = staff.get(f"/print/versions/{v1}.pdf")
    second = lead.get(f"/print/versions/{v1}.pdf")
    assert first.status_code == second.status_code == 200
    first_path, second_path = _verify_path(first.data), _verify_path(second.data)
    assert first_path != second_path
    events = trail_events(app, "document:print")
    assert [e.actor_name for e in events] == ["sara", "ana"]
    with app.test_request_context():
        when = [format_moment(e.occurred_at) for e in events]
    # Named as the stamp names them: full name, local time.
    for path, name, moment in zip((first_path, second_path), ("Sara", "Ana"), when, strict=True):
        page = client.get(path).get_data(as_text=True)
        assert "flash-success" in page and "vigente" in page
        assert name in page and moment in page
        assert "COPIA NO CONTROLADA" in page
    assert "Sara" not in client.get(second_path).get_data(as_text=True)


def test_an_uncontrolled_print_of_a_superseded_version_says_so(app, client, versions):
    org, document_id, v1 = versions
    staff = app.test_client()
    login(staff, "sara")
    path = _verify_path(staff.get(f"/print/versions/{v1}.pdf").data)
    _supersede(app, org, document_id)
    page = client.get(path).get_data(as_text=True)
    assert "NO está vigente" in page and "versión 2" in page and "Sara" in page


def test_a_controlled_copy_page_names_copy_and_holder_then_recall_then_return(
    app, client, versions
):
    org, document_id, v1 = versions
    lead = app.test_client()
    login(lead, "ana")
    token = csrf_token(lead, f"/copies/versions/{v1}")
    for holder in ("Recepción — sede Tunja", "Archivo central"):
        lead.post(f"/copies/versions/{v1}", data={"holder": holder, "csrf_token": token})
    with app.app_context():
        first, second = db.session.scalars(
            sa.select(ControlledCopy.id).order_by(ControlledCopy.copy_number)
        ).all()
    path = _verify_path(lead.get(f"/copies/{first}.pdf").data)
    other = _verify_path(lead.get(f"/copies/{second}.pdf").data)
    assert path != other
    page = client.get(path).get_data(as_text=True)
    assert "COPIA CONTROLADA N° 1" in page and "Recepción — sede Tunja" in page
    assert "flash-success" in page and "Archivo central" not in page
    assert "Archivo central" in client.get(other).get_data(as_text=True)

    _supersede(app, org, document_id)
    page = client.get(path).get_data(as_text=True)
    assert "NO está vigente" in page and "versión 2" in page
    assert "Copia recogida" in page and "devolución" in page

    recalls = lead.get("/copies/recalls").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', recalls).group(1)
    assert lead.post(f"/copies/{first}/acknowledge", data={"csrf_token": token}).status_code == 302
    [event] = trail_events(app, "copy:recall_acknowledge")
    with app.test_request_context():
        returned = format_moment(event.occurred_at)
    page = client.get(path).get_data(as_text=True)
    assert "Devolución confirmada" in page and returned in page
    assert "Devolución confirmada" not in client.get(other).get_data(as_text=True)


def test_a_forged_copy_token_answers_404(app, client, versions):
    _, _, v1 = versions
    staff = app.test_client()
    login(staff, "sara")
    path = _verify_path(staff.get(f"/print/versions/{v1}.pdf").data)
    assert client.get(path).status_code == 200
    assert client.get(path[:-2] + "xx").status_code == 404
    with app.test_request_context():
        # Signed, but naming nothing that exists, or of a kind the page does not know.
        for payload in (["p", 999999], ["c", 999999], ["x", 1], "abc", [1, 2, 3]):
            token = serializer().dumps(payload)
            assert client.get(f"/verify/{token}").status_code == 404, payload


def test_an_old_version_only_token_still_verifies_without_naming_a_copy(app, client, versions):
    _, _, v1 = versions
    with app.test_request_context():
        old = "/verify/" + serializer().dumps(v1)
    page = client.get(old).get_data(as_text=True)
    assert "AC-PR-01" in page and "flash-success" in page
    assert "COPIA" not in page and 'id="copy"' not in page
