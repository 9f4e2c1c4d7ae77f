"""A document or version the actor may not see answers 404 on every path, never a 403 or a
409 that would tell it exists."""

from __future__ import annotations

import pytest

from qms.core.db import db
from qms.core.errors import NotFound
from qms.documents import authoring
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import make_user


@pytest.mark.sql
def test_opening_a_version_of_a_hidden_document_is_not_found(app):
    org = build_org(app)
    document_id, _draft = new_document(app, org)  # a first draft: nothing in force yet
    outsider = make_user(app, "pedro", ["process_owner"]).id
    with app.app_context():
        with pytest.raises(NotFound):
            authoring.start_draft(db.session, user(outsider), document_id)
        with pytest.raises(NotFound):
            authoring.start_draft(db.session, user(outsider), 999_999)
