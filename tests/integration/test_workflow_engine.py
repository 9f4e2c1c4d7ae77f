"""The workflow engine as an object: check once, apply what was checked, lose a race as 409."""

from __future__ import annotations

import json

import pytest

from qms.core.db import db
from qms.core.errors import Conflict, PermissionDenied, ValidationFailed
from qms.core.workflow import Checked, Workflow
from qms.documents import lifecycle
from qms.documents.lifecycle import Action
from qms.documents.models import DocumentVersion, VersionState
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import trail_events


@pytest.fixture
def org(app):
    return build_org(app)


def test_each_domain_builds_its_workflow_with_its_table_model_and_trail_name() -> None:
    from qms.audits import lifecycle as audits
    from qms.capa import lifecycle as capa

    for module, model, object_type in (
        (lifecycle, DocumentVersion, "document_version"),
        (capa, capa.Nonconformity, "nonconformity"),
        (audits, audits.Audit, "audit"),
    ):
        assert isinstance(module.WORKFLOW, Workflow)
        assert module.WORKFLOW.transitions is module.TRANSITIONS
        assert (module.WORKFLOW.model, module.WORKFLOW.object_type) == (model, object_type)


def test_check_returns_what_apply_moves_without_checking_again(app, org) -> None:
    _, version_id = new_document(app, org)
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        owner = user(org.owner_id)
        with pytest.raises(ValidationFailed):  # the discard's reason is checked with the rule
            lifecycle.WORKFLOW.check(version, Action.DISCARD, owner)
        with pytest.raises(PermissionDenied):
            lifecycle.WORKFLOW.check(version, Action.DISCARD, user(org.staff_id), "no")
        checked = lifecycle.WORKFLOW.check(version, Action.DISCARD, owner, " Duplicado. ")
        assert isinstance(checked, Checked) and checked.state == VersionState.DRAFT
        rule = lifecycle.WORKFLOW.apply(db.session, checked, details={"why": "test"})
        db.session.commit()
        assert rule.to == VersionState.DISCARDED == version.state
    (event,) = trail_events(app, "document:discard")
    assert event.reason == "Duplicado."
    assert json.loads(event.before) == {"state": "draft"}
    after = json.loads(event.after)
    assert after["state"] == "discarded" and after["why"] == "test"


def test_what_was_checked_in_a_state_left_meanwhile_is_a_conflict(app, org) -> None:
    _, version_id = new_document(app, org)
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        owner = user(org.owner_id)
        stale = lifecycle.WORKFLOW.check(version, Action.DISCARD, owner, "uno")
        lifecycle.WORKFLOW.apply(db.session, version, Action.DISCARD, owner, reason="dos")
        with pytest.raises(Conflict):
            lifecycle.WORKFLOW.apply(db.session, stale)
        db.session.rollback()


def test_apply_without_a_check_needs_the_action() -> None:
    with pytest.raises(TypeError):
        lifecycle.WORKFLOW.apply(None, object())  # type: ignore[arg-type]
