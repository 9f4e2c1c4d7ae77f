"""An upload sent chunked (no Content-Length) over a real HTTP server is held to the limit:
over it is a 413 with nothing stored, under it the whole file is kept, never a cut one."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from qms.core.db import db
from qms.documents.models import Attachment
from tests.documents_fixtures import Org, build_org, new_document
from tests.helpers import bearer_for, trail_events

LIMIT = 64 * 1024


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


@pytest.fixture
def server(app: Flask) -> Iterator[int]:
    app.config["MAX_CONTENT_LENGTH"] = LIMIT
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_port
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def _chunked_upload(port: int, path: str, headers: dict[str, str], size: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        body = (b"%PDF-1.4 " + b"x" * 8192 for _ in range(size // 8201 + 1))
        connection.request(
            "POST",
            path,
            body=body,
            headers={**headers, "Content-Type": "application/pdf"},
            encode_chunked=True,
        )
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return 413  # the server answered and closed before reading everything
    finally:
        connection.close()


def test_a_chunked_upload_over_the_limit_is_413_and_stores_nothing(app, org, server):
    _, version_id = new_document(app, org)
    owner = bearer_for(app, org.owner_id)
    path = f"/api/v1/versions/{version_id}/attachments?filename=grande.pdf"
    assert _chunked_upload(server, path, owner, 4 * LIMIT) == 413
    assert trail_events(app, "document:attach") == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Attachment.id))) == 0

    assert _chunked_upload(server, path.replace("grande", "chico"), owner, LIMIT // 2) == 200
    with app.app_context():
        [kept] = db.session.scalars(sa.select(Attachment))
        assert kept.filename == "chico.pdf" and kept.size > LIMIT // 2
