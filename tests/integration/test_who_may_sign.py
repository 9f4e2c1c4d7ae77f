"""Who may sign a version: its route (roles held for the document's process, or named users of
any role), segregation of duties per type (reviewer ≠ approver by default, with a recorded
refusal), and the approver role (the Gerente) that approves without quality-lead powers.

Tests marked `sql` (visibility, conflicts) also run on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask

from qms.core.db import db
from qms.core.errors import NotFound, PermissionDenied
from qms.documents import approval, authoring, types
from qms.documents.lifecycle import DutiesNotSeparated
from qms.documents.models import DocumentType, DocumentVersion, VersionState
from qms.documents.my_work import waiting_for_signature
from qms.documents.queries import can_see_version
from qms.processes.services import create_process, set_members
from tests.documents_fixtures import Org, build_org, new_document, type_id, user
from tests.helpers import PASSWORD, bearer_for, csrf_token, make_user, trail_events
from tests.signing_helpers import in_approval, in_review, sign, signed_in
from tests.web.test_api_documents import call

S = VersionState
REFUSED = "document:segregation_refused"


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


@pytest.fixture
def outsider(app: Flask, org: Org) -> int:
    """Pablo, a process owner who leads another process (Gestión de Calidad), not AC."""
    pablo = make_user(app, "pablo", ["process_owner"], job_title="Jefe de Calidad")
    with app.app_context():
        create_process(
            db.session,
            None,
            code="GC",
            name="Gestión de Calidad",
            type="evaluation",
            leader_id=pablo.id,
            bypass_permission=True,
        )
        db.session.commit()
    return pablo.id


@pytest.fixture
def gerente(app: Flask, org: Org) -> int:
    """Top management: the approver role only."""
    return make_user(app, "gerente", ["approver"], job_title="Gerente General").id


def _state(app: Flask, version_id: int) -> str:
    with app.app_context():
        found = db.session.get(DocumentVersion, version_id)
        assert found is not None
        return found.state


def _set_type(app: Flask, org: Org, key: str = "procedure", **changes: Any) -> None:
    """Change the type as its quality lead would (route stages given are merged in)."""
    with app.app_context():
        doc_type = db.session.get(DocumentType, type_id(key))
        assert doc_type is not None
        values = types.snapshot(doc_type)
        for name in ("key", "active"):
            values.pop(name)
        for stage in ("review", "approval"):
            if stage in changes:
                values["route"] = {**values["route"], stage: changes.pop(stage)}
        types.update_type(db.session, user(org.approver_id), doc_type.id, **{**values, **changes})
        db.session.commit()


def _stage(**values: Any) -> dict[str, Any]:
    return {"roles": [], "users": [], "count": 1, "sequential": False, **values}


# --- Reviewers come from the document's process ---------------------------------------------


@pytest.mark.sql
def test_process_owner_of_another_process_neither_sees_nor_reviews(app, org, outsider):
    document_id, version_id = in_review(app, org)
    with app.app_context():
        pablo = user(outsider)
        version = db.session.get(DocumentVersion, version_id)
        assert not can_see_version(pablo, version)
        assert waiting_for_signature(db.session, pablo) == []
        with pytest.raises(NotFound):
            approval.review_version(db.session, pablo, version_id, PASSWORD)
        db.session.rollback()
        # Raúl, a process owner who belongs to AC, sees it waiting for him.
        raul = user(org.reviewer_id)
        assert [v.id for v in waiting_for_signature(db.session, raul)] == [version_id]
    client = signed_in(app, "pablo")
    assert client.get(f"/documents/versions/{version_id}").status_code == 404
    assert client.get(f"/documents/versions/{version_id}/review").status_code == 404
    assert client.get(f"/documents/{document_id}").status_code == 404
    assert trail_events(app, "document:review") == []

    member = signed_in(app, "raul")
    response = sign(member, f"/documents/versions/{version_id}/review", password=PASSWORD)
    assert response.status_code == 302
    assert _state(app, version_id) == S.IN_APPROVAL
    [event] = trail_events(app, "document:review")
    assert event.actor_name == "raul"


@pytest.mark.sql
def test_process_owner_of_another_process_cannot_review_through_the_api(app, client, org, outsider):
    _, version_id = in_review(app, org)
    refused = call(
        client, "POST", f"/versions/{version_id}/review", bearer_for(app, outsider), 404,
        password=PASSWORD,
    )  # fmt: skip
    assert refused["error"]["code"] == "not_found"
    assert _state(app, version_id) == S.IN_REVIEW
    # The leader of the process is a process owner of it too, but wrote the version.
    call(
        client, "POST", f"/versions/{version_id}/review", bearer_for(app, org.owner_id), 403,
        password=PASSWORD,
    )  # fmt: skip
    assert trail_events(app, "document:review") == []


@pytest.mark.sql
def test_a_quality_lead_reviews_for_every_process(app, org, outsider):
    """Global roles sign for any process; process-scoped ones for their own processes."""
    lead = make_user(app, "rita", ["quality_lead"]).id
    _, version_id = in_review(app, org)
    with app.app_context():
        approval.review_version(db.session, user(lead), version_id, PASSWORD)
        db.session.commit()
    assert _state(app, version_id) == S.IN_APPROVAL


# --- Segregation of duties --------------------------------------------------------------------


@pytest.mark.sql
def test_reviewer_cannot_approve_the_same_version_by_default(app, org):
    rita = make_user(app, "rita", ["quality_lead"]).id
    _, version_id = in_review(app, org)
    with app.app_context():
        approval.review_version(db.session, user(rita), version_id, PASSWORD)
        db.session.commit()
        with pytest.raises(DutiesNotSeparated) as refused:
            approval.approve_version(db.session, user(rita), version_id, PASSWORD)
        assert refused.value.status_code == 403 and refused.value.recorded
        assert refused.value.code == "duties_not_separated"
        db.session.commit()  # what the edge does with a recorded refusal
        assert db.session.get(DocumentVersion, version_id).state == S.IN_APPROVAL
        # Nobody else is blocked: another quality lead approves.
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    [event] = trail_events(app, REFUSED)
    assert event.actor_name == "rita" and event.object_id == str(version_id)
    assert json.loads(event.after)["meaning"] == "approved"
    assert event.reason == "segregation of duties"
    assert _state(app, version_id) == S.EFFECTIVE


@pytest.mark.sql
def test_the_refusal_is_a_clear_403_kept_in_the_trail_through_page_and_api(app, client, org):
    rita = make_user(app, "rita", ["quality_lead"], locale="en").id
    document_id, version_id = in_review(app, org)
    with app.app_context():
        approval.review_version(db.session, user(rita), version_id, PASSWORD)
        db.session.commit()
        assert waiting_for_signature(db.session, user(rita)) == []  # not offered to her
    refused = call(
        client, "POST", f"/versions/{version_id}/approve", bearer_for(app, rita), 403,
        password=PASSWORD,
    )  # fmt: skip
    assert refused["error"]["code"] == "duties_not_separated"
    assert "segregation of duties" in refused["error"]["message"]
    assert len(trail_events(app, REFUSED)) == 1  # kept although the request failed
    page = signed_in(app, "rita")
    links = page.get(f"/documents/{document_id}").get_data(as_text=True)
    assert f"/versions/{version_id}/reject" in links  # she may still reject it
    assert f"/versions/{version_id}/approve" not in links
    shown = page.get(f"/documents/versions/{version_id}/approve")
    assert shown.status_code == 403
    assert "segregation of duties" in shown.get_data(as_text=True)
    assert len(trail_events(app, REFUSED)) == 1  # a GET writes nothing
    assert _state(app, version_id) == S.IN_APPROVAL
    assert trail_events(app, "document:approve") == []


@pytest.mark.sql
def test_a_type_may_let_the_reviewer_approve(app, org):
    """A small organisation: its quality lead reviews and approves."""
    _set_type(app, org, distinct_signers=False)
    [event] = trail_events(app, "document_type:update")
    assert json.loads(event.before) == {"distinct_signers": True}
    assert json.loads(event.after) == {"distinct_signers": False}
    _, version_id = in_review(app, org)
    with app.app_context():
        lead = user(org.approver_id)
        approval.review_version(db.session, lead, version_id, PASSWORD)
        db.session.commit()
        assert [v.id for v in waiting_for_signature(db.session, lead)] == [version_id]
        approval.approve_version(db.session, lead, version_id, PASSWORD)
        db.session.commit()
        signers = [
            (s.meaning, s.user_id) for s in db.session.get(DocumentVersion, version_id).signatures
        ]
    assert signers == [
        ("authored", org.owner_id),
        ("reviewed", org.approver_id),
        ("approved", org.approver_id),
    ]
    assert _state(app, version_id) == S.EFFECTIVE and trail_events(app, REFUSED) == []
    # The author never signs twice, whatever the type says.
    _, second = in_review(app, org, title="Control de registros")
    with app.app_context(), pytest.raises(PermissionDenied):
        approval.review_version(db.session, user(org.owner_id), second, PASSWORD)


@pytest.mark.sql
def test_the_rule_is_the_one_in_force_at_submission(app, org):
    """Relaxing the type later does not relax versions already submitted."""
    _, version_id = in_review(app, org)
    _set_type(app, org, distinct_signers=False)
    with app.app_context():
        lead = user(org.approver_id)
        approval.review_version(db.session, lead, version_id, PASSWORD)
        db.session.commit()
        with pytest.raises(DutiesNotSeparated):
            approval.approve_version(db.session, lead, version_id, PASSWORD)
    assert _state(app, version_id) == S.IN_APPROVAL


def test_the_setting_is_in_the_type_form_and_the_api(app, client, org):
    with app.app_context():
        procedure = type_id("procedure")
        doc_type = db.session.get(DocumentType, procedure)
        assert doc_type is not None and doc_type.distinct_signers
        route = doc_type.route
    lead = signed_in(app, "ana")
    url = f"/document-types/{procedure}/edit"
    page = lead.get(url).get_data(as_text=True)
    [checkbox] = re.findall(r'<input[^>]*name="distinct_signers"[^>]*>', page)
    assert "checked" in checkbox
    form = {
        "csrf_token": csrf_token(lead, url),
        "name": "Procedimiento",
        "abbreviation": "PR",
        "code_pattern": "{process}-{type}-{seq:02}",
        "default_blocks": ["text"],
        "review_interval_months": "24",
        "review_roles": route["review"]["roles"],
        "review_count": "1",
        "approval_roles": route["approval"]["roles"],
        "approval_count": "1",
    }  # distinct_signers left unticked
    assert lead.post(url, data=form).status_code == 302
    with app.app_context():
        assert not db.session.get(DocumentType, procedure).distinct_signers
    [event] = trail_events(app, "document_type:update")
    assert json.loads(event.after)["distinct_signers"] is False

    headers = bearer_for(app, org.approver_id)
    changed = call(
        client, "PATCH", f"/document-types/{procedure}", headers, 200, distinct_signers=True
    )
    assert changed["distinct_signers"] is True and changed["route"] == route
    listed = call(client, "GET", "/document-types", headers, 200)["items"]
    assert {t["key"]: t["distinct_signers"] for t in listed}["procedure"] is True
    created = call(
        client, "POST", "/document-types", headers, 200,
        key="small_guide", name="Guía breve", abbreviation="GB",
        code_pattern="{process}-{type}-{seq:02}",
    )  # fmt: skip
    assert created["distinct_signers"] is True
    assert created["route"]["approval"]["roles"] == ["quality_lead", "approver"]
    refused = call(
        client, "PATCH", f"/document-types/{procedure}", headers, 400, distinct_signers="no"
    )
    assert refused["error"]["field"] == "distinct_signers"
    events = trail_events(app, "document_type:update")
    assert [json.loads(e.after) for e in events][-1] == {"distinct_signers": True}


# --- The approver role (the Gerente) ----------------------------------------------------------


@pytest.mark.sql
def test_the_gerente_approves_without_quality_lead_powers(app, client, org, gerente):
    _, version_id = in_approval(app, org)
    manager = signed_in(app, "gerente")
    url = f"/documents/versions/{version_id}"
    assert "Aprobó" in manager.get(f"{url}/approve").get_data(as_text=True)
    today = approval.today().isoformat()
    signed = sign(manager, f"{url}/approve", password=PASSWORD, effective_from=today)
    assert signed.status_code == 302
    assert _state(app, version_id) == S.EFFECTIVE
    [event] = trail_events(app, "document:approve")
    assert event.actor_name == "gerente"
    # Nothing else: no documents created or edited, no types, no review.
    assert manager.get("/documents/new").status_code == 403
    assert manager.get("/document-types/").status_code == 403
    headers = bearer_for(app, gerente)
    call(
        client, "POST", "/documents", headers, 403,
        type="procedure", process_id=org.process_id, title="Otra cosa",
    )  # fmt: skip
    procedure = type_id_in(app, "procedure")
    call(client, "PATCH", f"/document-types/{procedure}", headers, 403, name="X")
    draft_document, draft_id = new_document(app, org, title="Borrador")
    call(client, "PATCH", f"/versions/{draft_id}", headers, 403, change_summary="x")
    assert manager.get(f"/documents/versions/{draft_id}").status_code == 404
    with app.app_context(), pytest.raises(NotFound):  # a document they cannot see
        authoring.start_draft(db.session, user(gerente), draft_document)
    _, in_review_id = in_review(app, org, title="En revisión")
    assert manager.get(f"/documents/versions/{in_review_id}/review").status_code == 404


@pytest.mark.sql
def test_the_gerente_sees_only_what_waits_for_his_approval(app, org, gerente):
    _, version_id = in_review(app, org)
    with app.app_context():
        manager = user(gerente)
        assert not can_see_version(manager, db.session.get(DocumentVersion, version_id))
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
        assert can_see_version(manager, db.session.get(DocumentVersion, version_id))
        assert [v.id for v in waiting_for_signature(db.session, manager)] == [version_id]
        approval.approve_version(db.session, manager, version_id, PASSWORD)
        db.session.commit()
    assert _state(app, version_id) == S.EFFECTIVE


# --- Routes may name users and roles of any role ----------------------------------------------


@pytest.mark.sql
def test_a_route_naming_users_of_any_role_works(app, org, gerente):
    """Sara (staff) reviews and the Gerente approves because the route names them; another
    staff member, not named, neither sees nor signs."""
    other = make_user(app, "saul", ["staff"]).id
    _set_type(
        app,
        org,
        review=_stage(users=[org.staff_id]),
        approval=_stage(users=[gerente]),
    )
    _, version_id = in_review(app, org)
    with app.app_context():
        with pytest.raises(NotFound):
            approval.review_version(db.session, user(other), version_id, PASSWORD)
        db.session.rollback()
        with pytest.raises(PermissionDenied):  # a quality lead the route does not name
            approval.review_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.rollback()
    staff = signed_in(app, "sara")
    url = f"/documents/versions/{version_id}/review"
    assert sign(staff, url, password=PASSWORD, comment="Conforme").status_code == 302
    assert _state(app, version_id) == S.IN_APPROVAL
    with app.app_context():
        with pytest.raises(PermissionDenied):
            approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.rollback()
        approval.approve_version(db.session, user(gerente), version_id, PASSWORD)
        db.session.commit()
        signed = db.session.get(DocumentVersion, version_id).signatures
        assert [(s.meaning, s.user_id) for s in signed] == [
            ("authored", org.owner_id),
            ("reviewed", org.staff_id),
            ("approved", gerente),
        ]


@pytest.mark.sql
def test_a_route_naming_a_process_scoped_role_means_members_of_the_process(app, org, outsider):
    """The staff role on a route: staff of the document's process sign, staff elsewhere not."""
    inside, elsewhere = make_user(app, "ines", ["staff"]).id, make_user(app, "eva", ["staff"]).id
    with app.app_context():
        set_members(db.session, user(org.approver_id), org.process_id, [org.reviewer_id, inside])
        db.session.commit()
    _set_type(app, org, review=_stage(roles=["staff"]))
    _, version_id = in_review(app, org)
    with app.app_context():
        with pytest.raises(NotFound):
            approval.review_version(db.session, user(elsewhere), version_id, PASSWORD)
        db.session.rollback()
        with pytest.raises(PermissionDenied):  # a process owner of AC, but not staff
            approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.rollback()
        approval.review_version(db.session, user(inside), version_id, PASSWORD)
        db.session.commit()
    assert _state(app, version_id) == S.IN_APPROVAL


def test_routes_accept_any_role_and_any_active_user(app, org, gerente):
    with app.app_context():
        route = types.clean_route(
            db.session,
            {
                "review": _stage(roles=["staff", "auditor"], users=[org.staff_id]),
                "approval": _stage(roles=["approver"], users=[gerente]),
            },
        )
        assert route["review"]["roles"] == ["staff", "auditor"]
        assert route["approval"]["users"] == [gerente]
        assert types.stage_roles("approval") == ["quality_lead", "approver"]
    lead = signed_in(app, "ana")
    page = lead.get(f"/document-types/{type_id_in(app, 'procedure')}/edit").get_data(as_text=True)
    assert 'value="approver"' in page and "Gerente" in page and "Sara" in page


def type_id_in(app: Flask, key: str) -> int:
    with app.app_context():
        return type_id(key)
