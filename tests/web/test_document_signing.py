"""The signing pages through the real client: each step allowed and denied, with its trail
event and signature rows; wrong passwords, lost races, and the comparison page.

Tests marked `sql` (visibility, races, constraints) also run on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import approval, authoring
from qms.documents.models import VersionState
from qms.processes.services import update_process
from tests.documents_fixtures import Org, build_org, new_document, type_id, user
from tests.helpers import PASSWORD, csrf_token, make_user, trail_events
from tests.signing_helpers import (
    actions,
    effective,
    in_approval,
    in_review,
    open_page,
    sign,
    signatures,
    signed_in,
    version,
)

S = VersionState


@pytest.fixture
def org(app: Flask) -> Org:
    built = build_org(app)
    with app.app_context():
        # The reviewer is a process owner who belongs to the document's process.
        update_process(
            db.session,
            user(built.approver_id),
            built.process_id,
            name="Atención al Cliente",
            objective="",
            member_ids=[built.reviewer_id],
        )
        db.session.commit()
    return built


@pytest.fixture
def owner(app: Flask, org: Org) -> FlaskClient:
    return signed_in(app, "olga")


@pytest.fixture
def reviewer(app: Flask, org: Org) -> FlaskClient:
    return signed_in(app, "raul")


@pytest.fixture
def approver(app: Flask, org: Org) -> FlaskClient:
    return signed_in(app, "ana")


@pytest.fixture
def staff(app: Flask, org: Org) -> FlaskClient:
    return signed_in(app, "sara")


def test_draft_to_effective_through_the_pages(app, org, owner, reviewer, approver) -> None:
    _, version_id = new_document(app, org)
    url = f"/documents/versions/{version_id}"
    page = owner.get(f"{url}/submit").get_data(as_text=True)
    assert "AC-PR-01" in page and "Atención de PQRS" in page and "Elaboró" in page  # the Spanish UI
    assert "Contraseña (su firma)" in page

    response = sign(owner, f"{url}/submit", password=PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/documents/versions/{version_id}")
    assert version(app, version_id).state == S.IN_REVIEW
    assert actions(app, "document:submit") == 1

    assert "Revisó" in reviewer.get(f"{url}/review").get_data(as_text=True)
    assert sign(reviewer, f"{url}/review", password=PASSWORD, comment="Bien").status_code == 302
    assert version(app, version_id).state == S.IN_APPROVAL
    assert actions(app, "document:review") == 1

    today = approval.today().isoformat()
    assert f'value="{today}"' in approver.get(f"{url}/approve").get_data(as_text=True)
    response = sign(approver, f"{url}/approve", password=PASSWORD, effective_from=today)
    assert response.status_code == 302
    final = version(app, version_id)
    assert final.state == S.EFFECTIVE and final.effective_from == approval.today()
    assert actions(app, "document:approve") == 1 and actions(app, "document:take_effect") == 1
    digest = final.content_sha256
    assert signatures(app, version_id) == [
        ("authored", "Olga", "Jefe de Atención", digest),
        ("reviewed", "Raul", "Coordinador", digest),
        ("approved", "Ana", "Líder de Calidad", digest),
    ]


@pytest.mark.parametrize("step", ["submit", "review", "approve", "reject", "discard"])
def test_staff_is_refused_every_version_step(app, org, staff, step) -> None:
    _, version_id = in_review(app, org)
    url = f"/documents/versions/{version_id}/{step}"
    events = len(trail_events(app))
    token = csrf_token(staff, "/dashboard")
    assert staff.get(url).status_code in (403, 404)
    data = {"csrf_token": token, "password": PASSWORD, "reason": "x"}
    assert staff.post(url, data=data).status_code in (403, 404)
    assert version(app, version_id).state == S.IN_REVIEW
    assert len(trail_events(app)) == events


@pytest.mark.sql
def test_process_owner_outside_the_process_does_not_see_the_draft(app, org) -> None:
    make_user(app, "pedro", ["process_owner"])
    _, version_id = new_document(app, org)
    outsider = signed_in(app, "pedro")
    assert outsider.get(f"/documents/versions/{version_id}/submit").status_code == 404
    data = {"csrf_token": csrf_token(outsider, "/dashboard"), "password": PASSWORD}
    response = outsider.post(f"/documents/versions/{version_id}/submit", data=data)
    assert response.status_code == 404
    assert version(app, version_id).state == S.DRAFT and actions(app, "document:submit") == 0


def test_author_cannot_review_own_version(app, org, owner) -> None:
    _, version_id = in_review(app, org)
    url = f"/documents/versions/{version_id}/review"
    assert owner.get(url).status_code == 403
    data = {"csrf_token": csrf_token(owner, "/dashboard"), "password": PASSWORD}
    data["content_sha256"] = version(app, version_id).content_sha256
    assert owner.post(url, data=data).status_code == 403
    assert version(app, version_id).state == S.IN_REVIEW
    assert [s[0] for s in signatures(app, version_id)] == ["authored"]
    assert actions(app, "document:review") == 0


def test_author_cannot_approve_own_version(app, org, approver) -> None:
    """A quality lead who wrote the version is refused at approval: segregation of duties."""
    with app.app_context():
        document = authoring.create_document(
            db.session,
            user(org.approver_id),
            type_id=type_id("procedure"),
            process_id=org.process_id,
            title="Manual de calidad",
        )
        version_id = document.versions[0].id
        content = [{"kind": "text", "text": "Alcance del sistema."}]
        authoring.update_draft(db.session, user(org.approver_id), version_id, content=content)
        approval.submit_version(db.session, user(org.approver_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
    url = f"/documents/versions/{version_id}/approve"
    assert approver.get(url).status_code == 403
    data = {
        "csrf_token": csrf_token(approver, "/dashboard"),
        "content_sha256": version(app, version_id).content_sha256,
        "password": PASSWORD,
        "effective_from": approval.today().isoformat(),
    }
    assert approver.post(url, data=data).status_code == 403
    assert version(app, version_id).state == S.IN_APPROVAL
    assert actions(app, "document:approve") == 0


def test_wrong_password_changes_nothing_and_is_recorded(app, org, owner) -> None:
    _, version_id = new_document(app, org)
    url = f"/documents/versions/{version_id}/submit"
    response = sign(owner, url, password="not-my-password")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and 'aria-invalid="true"' in html
    assert version(app, version_id).state == S.DRAFT
    assert signatures(app, version_id) == []
    assert actions(app, "document:submit") == 0
    refused = trail_events(app, "signature:refused")
    assert len(refused) == 1 and refused[0].object_id == str(version_id)


@pytest.mark.sql
def test_second_approval_of_an_approved_version_is_a_conflict(app, org, approver) -> None:
    make_user(app, "quique", ["quality_lead"], job_title="Director")
    other = signed_in(app, "quique")
    _, version_id = in_approval(app, org)
    url = f"/documents/versions/{version_id}/approve"
    today = approval.today().isoformat()
    mine, theirs = open_page(approver, url), open_page(other, url)
    first = approver.post(url, data={**mine, "password": PASSWORD, "effective_from": today})
    assert first.status_code == 302
    second = other.post(url, data={**theirs, "password": PASSWORD, "effective_from": today})
    assert second.status_code == 409
    assert "recargue" in second.get_data(as_text=True)
    assert [s[0] for s in signatures(app, version_id)].count("approved") == 1
    assert actions(app, "document:approve") == 1


@pytest.mark.sql
def test_content_changed_after_the_page_was_opened_is_a_conflict(app, org, owner) -> None:
    _, version_id = new_document(app, org)
    url = f"/documents/versions/{version_id}/submit"
    shown = open_page(owner, url)
    with app.app_context():
        content = [{"kind": "text", "text": "Otro texto."}]
        authoring.update_draft(db.session, user(org.owner_id), version_id, content=content)
        db.session.commit()
    assert owner.post(url, data={**shown, "password": PASSWORD}).status_code == 409
    assert version(app, version_id).state == S.DRAFT and actions(app, "document:submit") == 0


def test_approval_date_in_the_past_is_refused(app, org, approver) -> None:
    _, version_id = in_approval(app, org)
    yesterday = (approval.today() - timedelta(days=1)).isoformat()
    url = f"/documents/versions/{version_id}/approve"
    response = sign(approver, url, password=PASSWORD, effective_from=yesterday)
    assert response.status_code == 400
    assert 'id="effective_from-error"' in response.get_data(as_text=True)
    assert version(app, version_id).state == S.IN_APPROVAL
    assert actions(app, "document:approve") == 0


def test_reject_needs_a_reason(app, org, reviewer) -> None:
    _, version_id = in_review(app, org)
    url = f"/documents/versions/{version_id}/reject"
    response = sign(reviewer, url, password=PASSWORD, reason="  ")
    assert response.status_code == 400
    assert version(app, version_id).state == S.IN_REVIEW
    assert actions(app, "document:reject") == 0

    response = sign(reviewer, url, password=PASSWORD, reason="Falta el alcance.")
    assert response.status_code == 302
    assert version(app, version_id).state == S.DRAFT
    (event,) = trail_events(app, "document:reject")
    assert event.reason == "Falta el alcance."
    assert [s[:2] for s in signatures(app, version_id)][-1] == ("rejected", "Raul")


def test_discard_a_draft(app, org, owner, staff) -> None:
    _, version_id = new_document(app, org)
    url = f"/documents/versions/{version_id}/discard"
    assert "Contraseña (su firma)" not in owner.get(url).get_data(as_text=True)
    assert sign(owner, url, reason="").status_code == 400
    assert version(app, version_id).state == S.DRAFT
    assert sign(owner, url, reason="Duplicado.").status_code == 302
    assert version(app, version_id).state == S.DISCARDED
    assert actions(app, "document:discard") == 1


def test_withdraw_the_document(app, org, owner, approver) -> None:
    document_id, version_id = effective(app, org)
    url = f"/documents/{document_id}/withdraw"
    assert owner.get(url).status_code == 403
    assert "Retiró" in approver.get(url).get_data(as_text=True)
    response = sign(approver, url, password=PASSWORD, reason="Ya no aplica.")
    assert response.status_code == 302
    assert version(app, version_id).state == S.OBSOLETE
    assert actions(app, "document:withdraw") == 1
    assert signatures(app, version_id)[-1][:2] == ("withdrawn", "Ana")


def test_periodic_review_by_the_owner(app, org, owner, staff) -> None:
    document_id, version_id = effective(app, org)
    make_user(app, "pedro", ["process_owner"])
    outsider = signed_in(app, "pedro")
    url = f"/documents/{document_id}/periodic-review"
    assert staff.get(url).status_code == 403
    assert outsider.get(url).status_code == 403
    assert "Revisado sin cambios" in owner.get(url).get_data(as_text=True)
    response = sign(owner, url, password=PASSWORD, comment="Sigue vigente.")
    assert response.status_code == 302
    assert actions(app, "document:periodic_review") == 1
    assert signatures(app, version_id)[-1][:2] == ("periodic_review", "Olga")


def test_compare_shows_a_redline_of_text_and_cells(app, org, approver, staff) -> None:
    table = {"kind": "table", "title": "", "columns": ["Tarea", "Quién"]}
    v1_content = [
        {"kind": "text", "text": "Responder en 15 días <b>hábiles</b>."},
        {**table, "rows": [["Registrar", "Auxiliar"]]},
    ]
    v2_content = [
        {"kind": "text", "text": "Responder en 10 días <b>hábiles</b>."},
        {**table, "rows": [["Registrar", "Coordinador"]]},
    ]
    document_id, v1 = new_document(app, org)
    with app.app_context():
        owner_user = user(org.owner_id)
        authoring.update_draft(db.session, owner_user, v1, content=v1_content)
        db.session.commit()
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), v1, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), v1, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), v1, PASSWORD)
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session, user(org.owner_id), draft.id, content=v2_content, change_summary="Plazo."
        )
        db.session.commit()
        v2 = draft.id
    url = f"/documents/{document_id}/compare"
    response = approver.get(f"{url}?a={v1}&b={v2}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<del>15</del>" in html and "<ins>10</ins>" in html
    assert "<del>Auxiliar</del>" in html and "<ins>Coordinador</ins>" in html
    assert "&lt;b&gt;hábiles&lt;/b&gt;" in html and "<b>hábiles" not in html
    assert "<ins>10</ins>" in approver.get(url).get_data(as_text=True)  # default: last two
    # Staff see the version in force only: a draft in the comparison answers 404.
    assert staff.get(f"{url}?a={v1}&b={v2}").status_code == 404
    assert staff.get(f"{url}?a={v1}&b={v1}").status_code == 200
