"""An approval, once committed, queues the render of the version's base PDF; a rollback, none."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.documents import approval
from qms.printing import background
from qms.printing.models import PdfRendition
from qms.trail.models import TrailEvent
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD


@pytest.fixture
def rendering_app(app):
    settings = app.extensions["qms_settings"]
    settings.render_on_approval, settings.prerender_sizes = True, "Letter"
    background.init_app(app)
    return app


def _approve(app, org, version_id, *, commit: bool) -> None:
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


@pytest.mark.slow
def test_the_committed_approval_renders_the_base_pdf_in_the_background(rendering_app):
    org = build_org(rendering_app)
    _, version_id = new_document(rendering_app, org)
    renderer = rendering_app.extensions["qms_background_renderer"]
    _approve(rendering_app, org, version_id, commit=True)
    assert len(renderer.futures) == 1
    renderer.wait(timeout=120)
    with rendering_app.app_context():
        [rendition] = db.session.scalars(sa.select(PdfRendition)).all()
        assert (rendition.version_id, rendition.page_size) == (version_id, "Letter")
        assert rendition.pages >= 1


def test_a_rolled_back_approval_queues_nothing(rendering_app):
    org = build_org(rendering_app)
    _, version_id = new_document(rendering_app, org)
    renderer = rendering_app.extensions["qms_background_renderer"]
    _approve(rendering_app, org, version_id, commit=False)
    with rendering_app.app_context():
        # Another transaction commits afterwards: the forgotten approval must not leak into it.
        db.session.add(user(org.owner_id))
        db.session.commit()
        approvals = db.session.scalar(
            sa.select(sa.func.count(TrailEvent.id)).where(TrailEvent.action == "document:approve")
        )
    assert approvals == 0 and renderer.futures == []
