"""A version whose stored content no longer matches its recorded hash is neither reviewed,
approved, made effective nor printed: each step is refused with a clear message, and the
refusal is on record (committed although the request fails)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.documents import approval
from qms.documents.integrity import REFUSED, ContentAltered
from qms.documents.models import DocumentVersion, Signature, VersionState
from tests.db_guards import guard_lifted
from tests.documents_fixtures import Org, build_org, user
from tests.helpers import PASSWORD, trail_events
from tests.signing_helpers import effective, in_approval, in_review, sign, signed_in

pytestmark = pytest.mark.sql
S = VersionState
FORGED = '[{"kind": "text", "text": "Objetivo: responder cuando se pueda."}]'


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def _forge(app: Flask, version_id: int) -> None:
    """Someone with database access rewrites the frozen blocks."""
    with guard_lifted(app, "trg_document_versions_immutable") as connection:
        connection.execute(
            sa.text("UPDATE document_versions SET content = :c WHERE id = :id"),
            {"c": FORGED, "id": version_id},
        )


def _state_and_signatures(app: Flask, version_id: int) -> tuple[str, list[str]]:
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        assert version is not None
        meanings = db.session.scalars(
            sa.select(Signature.meaning).where(Signature.version_id == version_id)
        )
        return version.state, list(meanings)


def _refusals(app: Flask) -> list[str]:
    return [event.after for event in trail_events(app, REFUSED)]


def test_an_intact_version_is_reviewed_as_before(app, org):
    _, version_id = in_review(app, org)
    response = sign(
        signed_in(app, "ana"), f"/documents/versions/{version_id}/review", password=PASSWORD
    )
    assert response.status_code == 302
    assert _state_and_signatures(app, version_id) == (S.IN_APPROVAL, ["authored", "reviewed"])
    assert _refusals(app) == []


def test_a_forged_version_is_not_reviewed_and_the_refusal_stays_on_record(app, org):
    _, version_id = in_review(app, org)
    _forge(app, version_id)
    response = sign(
        signed_in(app, "ana"), f"/documents/versions/{version_id}/review", password=PASSWORD
    )
    assert response.status_code == 409
    assert "ya no coincide" in response.get_data(as_text=True)
    assert _state_and_signatures(app, version_id) == (S.IN_REVIEW, ["authored"])
    [after] = _refusals(app)
    assert '"operation":"review"' in after


def test_a_forged_version_is_not_approved_through_the_api_either(app, org):
    _, version_id = in_approval(app, org)
    _forge(app, version_id)
    with app.app_context():
        with pytest.raises(ContentAltered, match="ya no coincide"):
            approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    assert _state_and_signatures(app, version_id) == (S.IN_APPROVAL, ["authored", "reviewed"])
    assert len(_refusals(app)) == 1


def test_a_forged_approved_version_never_takes_effect_and_says_so_once(app, org):
    _, version_id = in_approval(app, org)
    later = approval.today() + timedelta(days=3)
    with app.app_context():
        approval.approve_version(
            db.session, user(org.approver_id), version_id, PASSWORD, effective_from=later
        )
        db.session.commit()
    _forge(app, version_id)
    for _ in range(2):  # the daily tick, and every list read, try again
        with app.app_context():
            assert approval.apply_due_transitions(db.session, on=later) == []
            db.session.commit()
    assert _state_and_signatures(app, version_id)[0] == S.APPROVED
    [after] = _refusals(app)
    assert '"operation":"take_effect"' in after


def test_a_forged_version_in_force_is_not_printed(app, org):
    _, version_id = effective(app, org)
    assert signed_in(app, "ana").get(f"/print/versions/{version_id}.pdf").status_code == 200
    _forge(app, version_id)
    response = signed_in(app, "sara").get(f"/print/versions/{version_id}.pdf")
    assert response.status_code == 409 and response.mimetype == "text/html"
    assert '"operation":"print"' in _refusals(app)[0]
    assert len(trail_events(app, "document:print")) == 1  # only the print made before
