"""A document, version or attachment the reader may not see answers exactly as a missing one on
every route, pages and API alike, whatever the method: never a 403 or 409 that tells it exists
(issue 13, item 3). A route refused for want of the permission itself refuses both alike.

The routes are read from the app's URL map, so a route added later is covered by itself.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents.authoring import add_attachment
from qms.processes.services import create_process
from qms.users import tokens
from qms.users.models import User
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import csrf_token, login, make_user

pytestmark = pytest.mark.sql

OBJECT_ARGS = {"document_id", "version_id", "attachment_id"}


MISSING = {"document_id": 999_999, "version_id": 999_999, "attachment_id": 999_999}


@pytest.fixture
def hidden(app: Flask) -> dict[str, int]:
    """A document of AC that only has a draft, with an attachment: hidden from Sara (staff) and
    from Pablo, who owns another process."""
    org = build_org(app)
    pablo = make_user(app, "pablo", ["process_owner"], job_title="Jefe de Compras")
    with app.app_context():
        create_process(
            db.session,
            None,
            code="GC",
            name="Gestión de Compras",
            type="support",
            leader_id=pablo.id,
            bypass_permission=True,
        )
        db.session.commit()
    document_id, version_id = new_document(app, org, "Borrador reservado")
    with app.app_context():
        attachment = add_attachment(
            db.session,
            app.extensions["qms_store"],
            user(org.owner_id),
            version_id,
            data=b"texto del anexo",
            filename="anexo.txt",
            media_type="text/plain",
        )
        db.session.commit()
        return {
            "document_id": document_id,
            "version_id": version_id,
            "attachment_id": attachment.id,
        }


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not OBJECT_ARGS & set(rule.arguments) or set(rule.arguments) - OBJECT_ARGS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, rule.rule, method))
    return found


def _answers(app: Flask, client: FlaskClient, username: str, ids: dict[str, int]) -> dict[str, int]:
    with app.app_context():
        owner = db.session.scalar(sa.select(User).where(User.username == username))
        _, plain = tokens.create_token(db.session, None, "api", owner=owner, bypass_permission=True)
        db.session.commit()
    bearer = {"Authorization": f"Bearer {plain}"}
    login(client, username)
    token = csrf_token(client, "/documents/")
    answers = {}
    for endpoint, rule, method in _routes(app):
        path = rule
        for name, value in ids.items():
            path = path.replace(f"<int:{name}>", str(value))
        if path.startswith("/api/"):
            response = client.open(path, method=method, headers=bearer, json={})
        elif method == "GET":
            response = client.get(path)
        else:
            response = client.open(path, method=method, data={"csrf_token": token})
        answers[f"{method} {rule} ({endpoint})"] = response.status_code
    client.post("/logout", data={"csrf_token": token})
    return answers


@pytest.mark.parametrize("username", ["sara", "pablo"])
def test_a_hidden_object_answers_as_a_missing_one_on_every_route(
    app: Flask, client: FlaskClient, hidden: dict[str, int], username: str
) -> None:
    seen = _answers(app, client, username, hidden)
    missing = _answers(app, client, username, MISSING)
    assert len(seen) > 30  # the map was read
    told = {
        route: (status, missing[route])
        for route, status in seen.items()
        if status != missing[route]
    }
    assert told == {}
    assert {route: s for route, s in seen.items() if s in (409, 500)} == {}
    # Where the reader holds the permission at all, the hidden object is simply not found.
    assert "GET /documents/versions/<int:version_id> (documents.version)" in seen
    assert all(status in (400, 403, 404, 405) for status in seen.values()), seen
