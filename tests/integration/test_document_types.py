"""Document types: validation, trail events, and a changed route honoured by the approval."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.core.errors import Conflict, PermissionDenied, ValidationFailed
from qms.documents import approval, types
from qms.documents.authoring import create_document
from qms.documents.models import Document, DocumentType, DocumentVersion, VersionState
from qms.trail.services import verify_chain
from tests.documents_fixtures import build_org, new_document, type_id, user
from tests.helpers import PASSWORD, make_user, trail_events


@pytest.fixture
def org(app):
    return build_org(app)


def _route(**review: Any) -> dict[str, Any]:
    stage = {"roles": ["quality_lead"], "users": [], "count": 1, "sequential": False}
    return {"review": {**stage, **review}, "approval": dict(stage)}


def _values(**changes: Any) -> dict[str, Any]:
    values = {
        "key": "record_guide",
        "name": "Guía de registro",
        "abbreviation": "GR",
        "code_pattern": "{process}-{type}-{seq:02}",
        "default_blocks": ["text", "table"],
        "review_interval_months": 12,
        "route": _route(),
        "is_external": False,
    }
    return {**values, **changes}


def _update_values(doc_type: DocumentType, **changes: Any) -> dict[str, Any]:
    values = types.snapshot(doc_type)
    for key in ("key", "active"):
        values.pop(key)
    return {**values, **changes}


def test_create_records_the_type_and_one_trail_event(app, org):
    with app.app_context():
        doc_type = types.create_type(db.session, user(org.approver_id), **_values())
        db.session.commit()
        assert doc_type.active and doc_type.route["review"]["count"] == 1
        assert doc_type.default_blocks == ["text", "table"]
    events = trail_events(app, "document_type:create")
    assert len(events) == 1 and events[0].object_id == str(doc_type.id)
    assert json.loads(events[0].after)["code_pattern"] == "{process}-{type}-{seq:02}"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"key": "Bad Key"}, "key"),
        ({"name": "  "}, "name"),
        ({"abbreviation": "gr"}, "abbreviation"),
        ({"abbreviation": "TOOLONGABBR"}, "abbreviation"),
        ({"code_pattern": "{process}-{type}-{oops}-{seq}"}, "code_pattern"),
        ({"code_pattern": "{process}-{type}"}, "code_pattern"),
        ({"code_pattern": "{seq}-{seq}"}, "code_pattern"),
        ({"code_pattern": "{process}/{seq:02}"}, "code_pattern"),
        ({"code_pattern": "{process-{seq}"}, "code_pattern"),
        ({"default_blocks": ["text", "sipocx"]}, "default_blocks"),
        ({"review_interval_months": 0}, "review_interval_months"),
        ({"review_interval_months": 121}, "review_interval_months"),
        ({"route": _route(roles=["boss"])}, "review_roles"),
        ({"route": _route(users=["nobody"])}, "review_users"),
        ({"route": _route(count=0)}, "review_count"),
        ({"route": _route(users=[99999])}, "review_users"),
        ({"route": _route(sequential=True)}, "review_sequential"),
    ],
)
def test_create_refuses_invalid_values(app, org, changes, field):
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            types.create_type(db.session, user(org.approver_id), **_values(**changes))
        assert refused.value.field == field
    assert trail_events(app, "document_type:create") == []


def test_count_above_named_users_in_sequence_is_refused(app, org):
    with app.app_context():
        route = _route(users=[org.approver_id, org.reviewer_id], count=3, sequential=True)
        with pytest.raises(ValidationFailed) as refused:
            types.create_type(db.session, user(org.approver_id), **_values(route=route))
        assert refused.value.field == "review_count"
        route = _route(users=[org.approver_id, org.reviewer_id], count=2, sequential=True)
        doc_type = types.create_type(db.session, user(org.approver_id), **_values(route=route))
        assert doc_type.route["review"]["users"] == [org.approver_id, org.reviewer_id]


def test_named_signers_must_be_active_users_of_any_role(app, org):
    gone = make_user(app, "gone", ["quality_lead"])
    with app.app_context():
        user(gone.id).active = False
        db.session.flush()
        with pytest.raises(ValidationFailed) as refused:
            types.create_type(
                db.session, user(org.approver_id), **_values(route=_route(users=[gone.id]))
            )
        assert refused.value.field == "review_users"
        # Being named is what lets one sign: a staff member or a staff role may be named.
        route = _route(users=[org.staff_id], roles=["staff"])
        doc_type = types.create_type(db.session, user(org.approver_id), **_values(route=route))
        assert doc_type.route["review"]["users"] == [org.staff_id]


@pytest.mark.sql
def test_key_and_abbreviation_are_unique(app, org):
    with app.app_context():
        with pytest.raises(Conflict) as taken:
            types.create_type(db.session, user(org.approver_id), **_values(key="procedure"))
        assert taken.value.field == "key"
        with pytest.raises(Conflict) as taken:
            types.create_type(db.session, user(org.approver_id), **_values(abbreviation="PR"))
        assert taken.value.field == "abbreviation"


@pytest.mark.parametrize("who", ["owner_id", "staff_id"])
def test_only_quality_leads_manage_types(app, org, who):
    with app.app_context():
        actor = user(getattr(org, who))
        with pytest.raises(PermissionDenied):
            types.create_type(db.session, actor, **_values())
        with pytest.raises(PermissionDenied):
            types.set_type_active(db.session, actor, type_id("procedure"), False)
    assert [e for e in trail_events(app) if e.action.startswith("document_type:")] == []


def test_update_records_only_what_changed_and_keeps_existing_codes(app, org):
    document_id, _ = new_document(app, org)
    with app.app_context():
        procedure = db.session.get(DocumentType, type_id("procedure"))
        values = _update_values(
            procedure, code_pattern="{process}-P{type}{seq:03}", review_interval_months=6
        )
        types.update_type(db.session, user(org.approver_id), procedure.id, **values)
        types.update_type(db.session, user(org.approver_id), procedure.id, **values)  # no-op
        db.session.commit()
        old = db.session.get(Document, document_id)
        assert old.code == "AC-PR-01" and old.review_interval_months == 24
        new = create_document(
            db.session,
            user(org.owner_id),
            type_id=procedure.id,
            process_id=org.process_id,
            title="Otro procedimiento",
        )
        assert new.code == "AC-PPR001" and new.review_interval_months == 6
    events = trail_events(app, "document_type:update")
    assert len(events) == 1
    assert json.loads(events[0].before) == {
        "code_pattern": "{process}-{type}-{seq:02}",
        "review_interval_months": 24,
    }
    assert json.loads(events[0].after) == {
        "code_pattern": "{process}-P{type}{seq:03}",
        "review_interval_months": 6,
    }


def test_deactivate_and_activate_record_events_and_gate_new_documents(app, org):
    with app.app_context():
        procedure = type_id("procedure")
        types.set_type_active(db.session, user(org.approver_id), procedure, False)
        types.set_type_active(db.session, user(org.approver_id), procedure, False)  # no-op
        db.session.commit()
        with pytest.raises(ValidationFailed):
            create_document(
                db.session,
                user(org.owner_id),
                type_id=procedure,
                process_id=org.process_id,
                title="No",
            )
        types.set_type_active(db.session, user(org.approver_id), procedure, True)
        db.session.commit()
        assert verify_chain(db.session)[1] is None
    deactivated = trail_events(app, "document_type:deactivate")
    assert [(json.loads(e.before), json.loads(e.after)) for e in deactivated] == [
        ({"active": True}, {"active": False})
    ]
    assert len(trail_events(app, "document_type:activate")) == 1


def _set_review_route(app, org, **review: Any) -> None:
    with app.app_context():
        procedure = db.session.get(DocumentType, type_id("procedure"))
        route = {**procedure.route, "review": {**procedure.route["review"], **review}}
        types.update_type(
            db.session,
            user(org.approver_id),
            procedure.id,
            **_update_values(procedure, route=route),
        )
        db.session.commit()


def _state(version_id: int) -> str:
    return db.session.get(DocumentVersion, version_id).state


def test_review_count_two_needs_two_reviewers(app, org):
    second = make_user(app, "rita", ["quality_lead"]).id
    _set_review_route(app, org, count=2)
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
        assert _state(version_id) == VersionState.IN_REVIEW
        with pytest.raises(Conflict):
            approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.rollback()
        approval.review_version(db.session, user(second), version_id, PASSWORD)
        db.session.commit()
        assert _state(version_id) == VersionState.IN_APPROVAL
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
        assert _state(version_id) == VersionState.EFFECTIVE
    assert len(trail_events(app, "document:review_sign")) == 1
    assert len(trail_events(app, "document:review")) == 1


def test_named_reviewers_in_sequence_sign_in_order(app, org):
    second = make_user(app, "rita", ["quality_lead"]).id
    _set_review_route(app, org, roles=[], users=[second, org.reviewer_id], count=2, sequential=True)
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
        with pytest.raises(Conflict):
            approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.rollback()
        with pytest.raises(PermissionDenied):  # a quality lead the route does not name
            approval.review_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.rollback()
        approval.review_version(db.session, user(second), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
        assert _state(version_id) == VersionState.IN_APPROVAL
        signers = (
            db.session.scalars(sa.select(DocumentVersion).where(DocumentVersion.id == version_id))
            .one()
            .signatures
        )
        assert [s.user_id for s in signers if s.meaning == "reviewed"] == [second, org.reviewer_id]


def test_a_route_stage_must_list_roles_and_users(app, org):
    with app.app_context():
        route = {"review": {"roles": "quality_lead", "count": 1}, "approval": {}}
        with pytest.raises(ValidationFailed) as refused:
            types.create_type(db.session, user(org.approver_id), **_values(route=route))
        assert refused.value.field == "review_roles"
