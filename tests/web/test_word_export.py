"""Word export at the edges: the version page's download and `qms export`, visibility kept."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document as read_docx
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext
from markupsafe import escape

from qms.blobs.filetypes import DOCX as DOCX_MEDIA_TYPE
from qms.cli import main
from qms.core.db import db
from qms.documents import authoring
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import login, trail_events


@pytest.fixture
def versions(app: Flask) -> tuple[Org, int, int]:
    """(org, version in force, a draft of the next version)."""
    org = build_org(app)
    document_id, effective = new_document(app, org, text="**Objetivo:** atención oportuna.")
    through_approval(app, org, effective)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id).id
        db.session.commit()
    return org, effective, draft


def _header_text(data: bytes) -> str:
    header = read_docx(BytesIO(data)).sections[0].header
    return " ".join(
        cell.text for table in header.tables for row in table.rows for cell in row.cells
    )


def test_a_reader_downloads_the_version_in_force_as_word(
    app: Flask, client: FlaskClient, versions: tuple[Org, int, int]
) -> None:
    _org, effective, _draft = versions
    login(client, "sara")
    page = client.get(f"/documents/versions/{effective}").get_data(as_text=True)
    assert f"/documents/versions/{effective}/export.docx" in page
    with app.test_request_context():
        assert str(escape(gettext("Download Word (.docx)"))) in page
    response = client.get(f"/documents/versions/{effective}/export.docx")
    assert response.status_code == 200 and response.mimetype == DOCX_MEDIA_TYPE
    assert 'filename="AC-PR-01_v1.docx"' in response.headers["Content-Disposition"]
    assert "AC-PR-01" in _header_text(response.data)
    assert [e.actor_name for e in trail_events(app, "document:export")] == ["sara"]


def test_a_draft_is_not_found_for_staff_and_downloads_for_its_owner(
    app: Flask, client: FlaskClient, versions: tuple[Org, int, int]
) -> None:
    _org, _effective, draft = versions
    login(client, "sara")
    assert client.get(f"/documents/versions/{draft}/export.docx").status_code == 404
    assert trail_events(app, "document:export") == []
    owner = app.test_client()
    login(owner, "olga")
    response = owner.get(f"/documents/versions/{draft}/export.docx")
    assert response.status_code == 200 and response.mimetype == DOCX_MEDIA_TYPE
    assert 'filename="AC-PR-01_v2.docx"' in response.headers["Content-Disposition"]


def test_signed_out_is_sent_to_sign_in(client: FlaskClient, versions: tuple[Org, int, int]) -> None:
    _org, effective, _draft = versions
    response = client.get(f"/documents/versions/{effective}/export.docx")
    assert response.status_code in (302, 401)


def test_qms_export_writes_the_version_in_force_or_the_one_asked_for(
    app: Flask, tmp_path, versions: tuple[Org, int, int]
) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "in-force.docx"
    result = runner.invoke(main, ["export", "ac-pr-01", "--as", "sara", "-o", str(out)])
    assert result.exit_code == 0, result.output
    header = _header_text(out.read_bytes())
    assert "AC-PR-01" in header and "Versión 1" in header
    draft = tmp_path / "draft.docx"
    result = runner.invoke(
        main, ["export", "AC-PR-01", "--version", "2", "--as", "olga", "-o", str(draft)]
    )
    assert result.exit_code == 0, result.output
    assert "Versión 2" in _header_text(draft.read_bytes())
    exports = trail_events(app, "document:export")
    assert [(e.actor_name, e.client_address) for e in exports] == [("sara", "cli"), ("olga", "cli")]


def test_qms_export_refuses_a_version_the_user_may_not_see(
    app: Flask, tmp_path, versions: tuple[Org, int, int]
) -> None:
    out = tmp_path / "draft.docx"
    result = app.test_cli_runner().invoke(
        main, ["export", "AC-PR-01", "--version", "2", "--as", "sara", "-o", str(out)]
    )
    assert result.exit_code != 0 and not out.exists()
    assert trail_events(app, "document:export") == []
