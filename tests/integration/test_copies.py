"""The print service and the copy register (the visibility test on both backends)."""

from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from qms.core.db import db
from qms.core.errors import Conflict, NotFound, PermissionDenied
from qms.documents import approval, authoring
from qms.printing import copies
from qms.printing.models import PdfRendition
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, trail_events


def _approve(org, version_id):
    approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
    approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
    approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
    db.session.commit()


@pytest.fixture
def world(app):
    org = build_org(app)
    document_id, version_id = new_document(app, org, text="Responder cada PQRS en 15 días.")
    with app.app_context():
        _approve(org, version_id)
    return org, document_id, version_id


def _print(app, actor_id, version_id, **kwargs):
    with app.test_request_context():
        store = app.extensions["qms_store"]
        pdf, _name = copies.print_copy(db.session, store, user(actor_id), version_id, **kwargs)
        db.session.commit()
        return "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)


def _supersede(org, document_id):
    draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
    authoring.update_draft(db.session, user(org.owner_id), draft.id, change_summary="Ajuste.")
    db.session.commit()
    _approve(org, draft.id)


@pytest.mark.slow
def test_controlled_copy_prints_holder_and_recall_runs_until_acknowledged(app, world):
    org, document_id, version_id = world
    with app.test_request_context():
        lead = user(org.approver_id)
        copy = copies.issue_controlled_copy(db.session, lead, version_id, "Recepción — sede Tunja")
        second = copies.issue_controlled_copy(db.session, lead, version_id, "Archivo")
        db.session.commit()
        assert (copy.copy_number, second.copy_number) == (1, 2)
        copy_id = copy.id
    text = _print(app, org.approver_id, version_id, controlled_copy_id=copy_id)
    assert "COPIA CONTROLADA N° 1" in text and "Recepción — sede Tunja" in text
    assert "AC-PR-01" in text and "Responder cada PQRS en 15 días." in text
    # A further copy reuses the cached base PDF.
    _print(app, org.staff_id, version_id)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PdfRendition.id))) == 1
        assert copies.outstanding_recalls(db.session, user(org.approver_id)) == []
        _supersede(org, document_id)
        assert {c.id for c in copies.outstanding_recalls(db.session, user(org.approver_id))} == {
            copy_id,
            second.id,
        }
        with pytest.raises(Conflict):
            copies.print_copy(
                db.session,
                app.extensions["qms_store"],
                user(org.approver_id),
                version_id,
                controlled_copy_id=copy_id,
            )
        copies.acknowledge_recall(db.session, user(org.approver_id), copy_id)
        db.session.commit()
        assert [c.id for c in copies.outstanding_recalls(db.session, user(org.approver_id))] == [
            second.id
        ]
        with pytest.raises(Conflict):
            copies.acknowledge_recall(db.session, user(org.approver_id), copy_id)
        db.session.rollback()
    assert len(trail_events(app, "copy:recall_acknowledge")) == 1
    assert len(trail_events(app, "copy:issue")) == 2
    assert len(trail_events(app, "document:print")) == 2


@pytest.mark.sql
@pytest.mark.slow
def test_staff_may_not_print_a_superseded_version_but_the_lead_gets_obsolete(app, world):
    org, document_id, version_id = world
    with app.app_context():
        _supersede(org, document_id)
    with app.test_request_context(), pytest.raises(NotFound):
        copies.print_copy(db.session, app.extensions["qms_store"], user(org.staff_id), version_id)
    text = _print(app, org.approver_id, version_id)
    assert "DESACTUALIZADO" in text and "COPIA NO CONTROLADA" in text  # the state's own word
    [event] = trail_events(app, "document:print")
    assert '"state":"superseded"' in event.after


def test_staff_may_neither_issue_nor_print_controlled_copies(app, world):
    org, _, version_id = world
    with app.test_request_context():
        with pytest.raises(PermissionDenied):
            copies.issue_controlled_copy(db.session, user(org.staff_id), version_id, "Yo")
        with pytest.raises(PermissionDenied):
            copies.print_copy(
                db.session,
                app.extensions["qms_store"],
                user(org.staff_id),
                version_id,
                controlled_copy_id=1,
            )
    assert trail_events(app, "document:print") == []


def test_only_the_version_in_force_gets_copies(app):
    org = build_org(app)
    _, version_id = new_document(app, org)
    with app.test_request_context(), pytest.raises(Conflict):
        copies.issue_controlled_copy(db.session, user(org.approver_id), version_id, "Archivo")
