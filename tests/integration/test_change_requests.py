"""Change requests: filing (create / modify / withdraw), accepting, rejecting, races; My work."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qms.documents import approval, my_work
from qms.documents import change_requests as cr
from qms.documents.models import ChangeRequest, Document, DocumentVersion, VersionState
from tests.documents_fixtures import Org, build_org, new_document, type_id, user
from tests.helpers import PASSWORD, trail_events


@pytest.fixture
def org(app) -> Org:
    return build_org(app)


def _in_force(app, org: Org) -> int:
    """A procedure with an effective v1; returns the document id."""
    document_id, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    return document_id


def _after(event) -> dict:
    return json.loads(event.after or "{}")


def _types(app, key: str) -> int:
    with app.app_context():
        return type_id(key)


def _file(app, actor_id: int, kind: str, **values) -> int:
    with app.app_context():
        request = cr.file_change_request(
            db.session, user(actor_id), kind, values.pop("reason", "Hace falta."), **values
        )
        db.session.commit()
        return request.id


def test_staff_files_a_creation_request_with_a_trail_event(app, org):
    with app.app_context():
        with pytest.raises(ValidationFailed) as missing:
            cr.file_change_request(db.session, user(org.staff_id), "create", "Hace falta.")
        assert missing.value.field == "proposed_title"
        with pytest.raises(ValidationFailed) as no_reason:
            cr.file_change_request(
                db.session,
                user(org.staff_id),
                "create",
                "  ",
                proposed_title="Instructivo de caja",
                proposed_type_id=_types(app, "work_instruction"),
                proposed_process_id=org.process_id,
            )
        assert no_reason.value.field == "reason"
        with pytest.raises(ValidationFailed):
            cr.file_change_request(db.session, user(org.staff_id), "rename", "Hace falta.")
    request_id = _file(
        app,
        org.staff_id,
        "create",
        proposed_title="Instructivo de caja",
        proposed_type_id=_types(app, "work_instruction"),
        proposed_process_id=org.process_id,
    )
    with app.app_context():
        request = db.session.get(ChangeRequest, request_id)
        assert (request.kind, request.state, request.document_id) == ("create", "open", None)
    [event] = trail_events(app, "change_request:create")
    assert event.object_id == str(request_id) and event.reason == "Hace falta."
    assert _after(event)["title"] == "Instructivo de caja" and _after(event)["process"] == "AC"


def test_modify_and_withdraw_need_a_visible_document_in_force(app, org):
    draft_only, _ = new_document(app, org, title="Solo borrador")
    with app.app_context():
        # Staff do not see a document without a version in force: 404, not 403.
        with pytest.raises(NotFound):
            cr.file_change_request(db.session, user(org.staff_id), "modify", "x", draft_only)
        with pytest.raises(ValidationFailed):
            cr.file_change_request(db.session, user(org.owner_id), "modify", "x", draft_only)
        with pytest.raises(ValidationFailed):
            cr.file_change_request(db.session, user(org.staff_id), "withdraw", "x")
    document_id = _in_force(app, org)
    modify = _file(app, org.staff_id, "modify", document_id=document_id)
    withdraw = _file(app, org.staff_id, "withdraw", document_id=document_id, reason="Ya no aplica")
    with app.app_context():
        assert db.session.get(ChangeRequest, modify).document_id == document_id
        assert db.session.get(ChangeRequest, withdraw).kind == "withdraw"
    events = trail_events(app, "change_request:create")
    assert [_after(e)["kind"] for e in events] == ["modify", "withdraw"]
    assert _after(events[0])["document"] == "AC-PR-02"


def test_accepting_a_creation_request_creates_the_document_for_the_leader(app, org):
    request_id = _file(
        app,
        org.staff_id,
        "create",
        proposed_title="Instructivo de caja",
        proposed_type_id=_types(app, "work_instruction"),
        proposed_process_id=org.process_id,
    )
    with app.app_context():
        cr.accept_change_request(db.session, user(org.approver_id), request_id, "De acuerdo")
        db.session.commit()
        request = db.session.get(ChangeRequest, request_id)
        assert request.state == "accepted" and request.decided_by_id == org.approver_id
        document = db.session.get(Document, request.document_id)
        assert document.title == "Instructivo de caja" and document.owner_id == org.owner_id
        [draft] = document.versions
        assert draft.change_request_id == request_id and draft.author_id == org.owner_id
        assert draft.state == VersionState.DRAFT
        assert cr.versions_of(db.session, request_id) == [draft]
    [accepted] = trail_events(app, "change_request:accept")
    assert _after(accepted)["document"] == document.code
    assert _after(accepted)["authorised_by"] == "change_request" and accepted.reason == "De acuerdo"
    [created] = trail_events(app, "document:create")
    assert _after(created)["title"] == "Instructivo de caja"


def test_accepting_a_modification_opens_a_draft_for_the_owner(app, org):
    document_id = _in_force(app, org)
    request_id = _file(app, org.staff_id, "modify", document_id=document_id)
    with app.app_context():
        cr.accept_change_request(db.session, user(org.approver_id), request_id)
        db.session.commit()
        draft = db.session.scalar(
            sa.select(DocumentVersion).where(DocumentVersion.change_request_id == request_id)
        )
        assert (draft.number, draft.state, draft.author_id) == (2, "draft", org.owner_id)
        # The owner finds it in My work; the quality lead who accepted does not own it.
        assert [v.id for v in my_work.drafts_of(db.session, user(org.owner_id))] == [draft.id]
        assert my_work.drafts_of(db.session, user(org.approver_id)) == []
    [event] = trail_events(app, "change_request:accept")
    assert _after(event)["version"] == draft.id
    assert len(trail_events(app, "document:start_draft")) == 1


def test_accepting_a_withdrawal_only_records_the_decision(app, org):
    document_id = _in_force(app, org)
    request_id = _file(app, org.staff_id, "withdraw", document_id=document_id)
    with app.app_context():
        cr.accept_change_request(db.session, user(org.approver_id), request_id)
        db.session.commit()
        versions = db.session.get(Document, document_id).versions
        assert [v.state for v in versions] == ["effective"]
    assert len(trail_events(app, "change_request:accept")) == 1


@pytest.mark.sql
def test_a_second_decision_is_a_conflict(app, org):
    document_id = _in_force(app, org)
    request_id = _file(app, org.staff_id, "modify", document_id=document_id)
    with app.app_context():
        cr.accept_change_request(db.session, user(org.approver_id), request_id)
        db.session.commit()
        with pytest.raises(Conflict):
            cr.accept_change_request(db.session, user(org.approver_id), request_id)
        db.session.rollback()
        with pytest.raises(Conflict):
            cr.reject_change_request(db.session, user(org.approver_id), request_id, "No")
        db.session.rollback()
        drafts = db.session.scalars(
            sa.select(DocumentVersion).where(DocumentVersion.change_request_id == request_id)
        ).all()
        assert len(drafts) == 1
    assert len(trail_events(app, "change_request:accept")) == 1
    assert trail_events(app, "change_request:reject") == []


def test_reject_needs_a_reason_and_a_quality_lead(app, org):
    request_id = _file(
        app,
        org.staff_id,
        "create",
        proposed_title="Guía",
        proposed_type_id=_types(app, "guide"),
        proposed_process_id=org.process_id,
    )
    with app.app_context():
        for actor_id in (org.staff_id, org.owner_id):
            with pytest.raises(PermissionDenied):
                cr.accept_change_request(db.session, user(actor_id), request_id)
            with pytest.raises(PermissionDenied):
                cr.reject_change_request(db.session, user(actor_id), request_id, "No")
        with pytest.raises(ValidationFailed):
            cr.reject_change_request(db.session, user(org.approver_id), request_id, " ")
        db.session.rollback()
        assert db.session.get(ChangeRequest, request_id).state == "open"
        cr.reject_change_request(db.session, user(org.approver_id), request_id, "Ya existe.")
        db.session.commit()
        request = db.session.get(ChangeRequest, request_id)
        assert (request.state, request.decision_reason) == ("rejected", "Ya existe.")
    [event] = trail_events(app, "change_request:reject")
    assert event.reason == "Ya existe." and json.loads(event.before) == {"state": "open"}


@pytest.mark.sql
def test_visibility_and_lists(app, org):
    document_id = _in_force(app, org)
    mine = _file(app, org.staff_id, "modify", document_id=document_id)
    other = _file(app, org.reviewer_id, "withdraw", document_id=document_id)
    with app.app_context():
        staff = user(org.staff_id)
        assert [r.id for r in cr.list_change_requests(db.session, staff)] == [mine]
        with pytest.raises(NotFound):
            cr.get_change_request(db.session, staff, other)
        # The owner of the document sees requests about it; the quality lead sees all.
        owner_sees = cr.list_change_requests(db.session, user(org.owner_id))
        assert {r.id for r in owner_sees} == {mine, other}
        lead = user(org.approver_id)
        assert len(cr.list_change_requests(db.session, lead, state="open")) == 2
        assert [r.id for r in cr.list_change_requests(db.session, lead, kind="withdraw")] == [other]
        waiting = my_work.change_requests_waiting
        assert {r.id for r in waiting(db.session, lead)} == {mine, other}
        assert [r.id for r in waiting(db.session, staff)] == [mine]


def test_my_work_signatures_and_reviews(app, org):
    document_id = _in_force(app, org)
    _, version_id = new_document(app, org, title="Otro")
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
        waiting = my_work.waiting_for_signature
        assert [v.id for v in waiting(db.session, user(org.reviewer_id))] == [version_id]
        assert [v.id for v in waiting(db.session, user(org.approver_id))] == [version_id]
        assert waiting(db.session, user(org.owner_id)) == []  # the author
        assert waiting(db.session, user(org.staff_id)) == []
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        db.session.commit()
        assert waiting(db.session, user(org.reviewer_id)) == []
        assert [v.id for v in waiting(db.session, user(org.approver_id))] == [version_id]
        owner = user(org.owner_id)
        assert my_work.reviews_due(db.session, owner) == []
        due_on = approval.today() + timedelta(days=40 + 24 * 31)
        [row] = my_work.reviews_due(db.session, owner, on=due_on)
        assert row.document.id == document_id and row.is_overdue
        assert my_work.reviews_due(db.session, user(org.staff_id), on=due_on) == []
