"""Draft → review → approval → effective, supersession, rejection, guards and signatures."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from qms.core.db import db
from qms.core.errors import Conflict, PermissionDenied, ValidationFailed
from qms.documents import approval, authoring
from qms.documents.models import DocumentVersion, Signature, VersionState
from qms.trail.services import verify_chain
from qms.users.auth import SignatureRefused
from tests.documents_fixtures import build_org, new_document, through_approval, user
from tests.helpers import PASSWORD, trail_events


@pytest.fixture
def org(app):
    return build_org(app)


def test_first_version_goes_draft_to_effective_with_signatures(app, org):
    _, version_id = new_document(app, org)
    through_approval(app, org, version_id)
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        assert version.state == VersionState.EFFECTIVE
        assert version.document.code == "AC-PR-01" and version.document.code_locked
        meanings = [(s.meaning, s.printed_name, s.job_title) for s in version.signatures]
        assert meanings == [
            ("authored", "Olga", "Jefe de Atención"),
            ("reviewed", "Raul", "Coordinador"),
            ("approved", "Ana", "Líder de Calidad"),
        ]
        assert {s.content_sha256 for s in version.signatures} == {version.content_sha256}
        assert verify_chain(db.session)[1] is None
    actions = [e.action for e in trail_events(app) if e.object_type == "document_version"]
    assert actions[-4:] == [
        "document:submit",
        "document:review",
        "document:approve",
        "document:take_effect",
    ]


@pytest.mark.sql
def test_new_version_supersedes_the_old_one_when_it_takes_effect(app, org):
    document_id, v1 = new_document(app, org)
    through_approval(app, org, v1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        assert draft.number == 2 and draft.content == db.session.get(DocumentVersion, v1).content
        authoring.update_draft(
            db.session,
            user(org.owner_id),
            draft.id,
            content=[{"kind": "text", "text": "Nuevo objetivo."}],
            change_summary="Se ajusta el objetivo.",
        )
        db.session.commit()
        v2 = draft.id
    tomorrow = approval.today() + timedelta(days=1)
    through_approval(app, org, v2, effective_from=tomorrow)
    with app.app_context():
        assert db.session.get(DocumentVersion, v2).state == VersionState.APPROVED
        assert db.session.get(DocumentVersion, v1).state == VersionState.EFFECTIVE
        assert approval.apply_due_transitions(db.session) == []
        moved = approval.apply_due_transitions(db.session, on=tomorrow)
        db.session.commit()
        assert [v.id for v in moved] == [v2]
        assert db.session.get(DocumentVersion, v1).state == VersionState.SUPERSEDED
        assert db.session.get(DocumentVersion, v2).state == VersionState.EFFECTIVE
        assert approval.apply_due_transitions(db.session, on=tomorrow) == []  # idempotent


def test_second_version_needs_a_change_summary(app, org):
    document_id, v1 = new_document(app, org)
    through_approval(app, org, v1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        db.session.commit()
        with pytest.raises(ValidationFailed):
            approval.submit_version(db.session, user(org.owner_id), draft.id, PASSWORD)


def test_author_cannot_review_or_approve_own_version(app, org):
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
        with pytest.raises(PermissionDenied):
            approval.review_version(db.session, user(org.owner_id), version_id, PASSWORD)


def test_staff_cannot_review(app, org):
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
    with app.app_context(), pytest.raises((PermissionDenied, Exception)) as raised:
        approval.review_version(db.session, user(org.staff_id), version_id, PASSWORD)
    assert raised.value.status_code in (403, 404)


def test_wrong_password_changes_nothing_and_is_recorded(app, org):
    _, version_id = new_document(app, org)
    with app.app_context():
        with pytest.raises(SignatureRefused):
            approval.submit_version(db.session, user(org.owner_id), version_id, "wrong-password")
        db.session.commit()  # the edge keeps the refusal on record, as the views do
        version = db.session.get(DocumentVersion, version_id)
        assert version.state == VersionState.DRAFT and version.signatures == []
    assert len(trail_events(app, "signature:refused")) == 1


def test_rejection_returns_to_draft_and_a_second_round_can_be_signed(app, org):
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        with pytest.raises(ValidationFailed):
            approval.reject_version(db.session, user(org.reviewer_id), version_id, PASSWORD, "")
        approval.reject_version(
            db.session, user(org.reviewer_id), version_id, PASSWORD, "Falta el alcance."
        )
        db.session.commit()
        assert db.session.get(DocumentVersion, version_id).state == VersionState.DRAFT
        authoring.update_draft(
            db.session,
            user(org.owner_id),
            version_id,
            content=[{"kind": "text", "text": "Con alcance."}],
        )
        db.session.commit()
    through_approval(app, org, version_id)
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        assert version.state == VersionState.EFFECTIVE and version.round == 2
        reviewed = [s for s in version.signatures if s.meaning == "reviewed"]
        assert [s.round for s in reviewed] == [2]


@pytest.mark.sql
def test_signing_twice_or_out_of_state_is_a_conflict(app, org):
    _, version_id = new_document(app, org)
    through_approval(app, org, version_id)
    with app.app_context(), pytest.raises(Conflict):
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)


@pytest.mark.sql
def test_database_refuses_to_edit_a_submitted_version(app, org):
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        db.session.commit()
        with pytest.raises(Conflict):
            authoring.update_draft(
                db.session,
                user(org.owner_id),
                version_id,
                content=[{"kind": "text", "text": "cambio"}],
            )
        with pytest.raises(DatabaseError):
            db.session.execute(
                sa.update(DocumentVersion)
                .where(DocumentVersion.id == version_id)
                .values(change_summary="edited behind the service's back")
            )
        db.session.rollback()
        with pytest.raises(DatabaseError):
            db.session.execute(sa.delete(Signature))
        db.session.rollback()
        with pytest.raises(DatabaseError):
            db.session.execute(sa.update(Signature).values(printed_name="someone else"))
        db.session.rollback()
