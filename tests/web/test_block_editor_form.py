"""The draft editor's JSON submission (what block-editor.js posts) and its no-JavaScript form."""

from __future__ import annotations

import json
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from qms.core.db import db
from qms.documents import blocks as block_model
from qms.documents.editor_forms import EMPTY_BLOCKS, editor_config
from qms.documents.models import DocumentVersion
from tests.documents_fixtures import Org, build_org, new_document
from tests.helpers import csrf_token, login, make_user, trail_events

SIPOC = {
    "kind": "sipoc",
    "title": "Caracterización",
    "rows": [
        {
            "phase": "P",
            "suppliers": "Dirección",
            "inputs": "Plan estratégico",
            "activity": "Planear la atención",
            "outputs": "Plan de atención",
            "clients": "Usuarios",
        },
        {
            "phase": "H",
            "suppliers": "Usuarios",
            "inputs": "PQRS",
            "activity": "Atender la PQRS",
            "outputs": "Respuesta",
            "clients": "Usuarios",
        },
    ],
}
STEPS = {
    "kind": "steps",
    "title": "Actividades",
    "steps": [
        {
            "id": "1",
            "task": "Recibir la PQRS",
            "who": "Auxiliar",
            "how": "Radicar",
            "records": "Radicado",
            "form_code": "",
            "decision": None,
        },
        {
            "id": "2",
            "task": "¿Es competencia?",
            "who": "Jefe",
            "how": "Revisar",
            "records": "",
            "form_code": "",
            "decision": {"question": "¿Es de nuestra competencia?", "yes": "3", "no": "1"},
        },
        {
            "id": "3",
            "task": "Responder",
            "who": "Jefe",
            "how": "Carta",
            "records": "Respuesta",
            "form_code": "AC-FO-01",
            "decision": None,
        },
    ],
}


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def owner_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "olga").status_code == 302
    return client


def post_json(client: FlaskClient, version_id: int, raw: str, **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, "/dashboard"),
        "content_json": raw,
        "change_summary": "",
        "op": "save",
        **extra,
    }
    return client.post(f"/documents/versions/{version_id}/edit", data=data)


def stored(app: Flask, version_id: int) -> list[dict[str, Any]]:
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        assert version is not None
        return version.content


def test_the_page_carries_the_content_as_json_and_the_script(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text='Texto <b>&</b> "comillas"')
    html = owner_client(app).get(f"/documents/versions/{version_id}/edit").get_data(as_text=True)
    assert 'name="content_json"' in html and "disabled" in html
    start = html.index('id="content_json" value="') + len('id="content_json" value="')
    value = unescape(html[start : html.index('"', start)])
    assert json.loads(value) == [{"kind": "text", "text": 'Texto <b>&</b> "comillas"'}]
    assert "<b>&</b>" not in html  # escaped by Jinja
    assert '<script src="/static/js/block-editor.js" defer></script>' in html
    assert "/static/css/editor.css" in html
    assert "onclick" not in html and "style=" not in html
    assert 'id="fallback-editor"' in html  # the editor without JavaScript is still there


def test_posting_text_and_table_as_json_stores_them(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org)
    content = [
        {"kind": "table", "title": "Roles", "columns": ["Rol", "Tarea"], "rows": [["A", "B"]]},
        {"kind": "text", "text": "## Objetivo"},
    ]
    response = post_json(owner_client(app), version_id, json.dumps(content), change_summary="x")
    assert response.status_code == 302
    assert stored(app, version_id) == content
    assert trail_events(app, "document:edit_draft")


def test_posting_sipoc_and_steps_stores_them(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org)
    content = [SIPOC, STEPS]
    response = post_json(owner_client(app), version_id, json.dumps(content))
    assert response.status_code == 302
    saved = stored(app, version_id)
    assert [b["kind"] for b in saved] == ["sipoc", "steps"]
    assert saved[0]["rows"][1]["activity"] == "Atender la PQRS"
    assert saved[1]["steps"][1]["decision"] == {
        "question": "¿Es de nuestra competencia?",
        "yes": "3",
        "no": "1",
    }


def test_a_decision_to_a_missing_step_is_refused_naming_the_block(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    bad = json.loads(json.dumps(STEPS))
    bad["steps"][1]["decision"]["yes"] = "99"
    response = post_json(
        owner_client(app), version_id, json.dumps([{"kind": "text", "text": "a"}, bad])
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and ("Block 2" in html or "Bloque 2" in html)
    assert stored(app, version_id) == [{"kind": "text", "text": "uno"}]


def test_bad_json_is_refused_and_nothing_is_stored(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    before = len(trail_events(app, "document:edit_draft"))
    response = post_json(owner_client(app), version_id, '[{"kind": "text", "text": ')
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html and "JSON" in html
    assert stored(app, version_id) == [{"kind": "text", "text": "uno"}]
    assert len(trail_events(app, "document:edit_draft")) == before


def test_invalid_block_is_refused_and_the_sent_content_shown_again(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    content = [
        {"kind": "text", "text": "mi cambio"},
        {"kind": "table", "title": "", "columns": ["A", "B"], "rows": [["solo una"]]},
    ]
    response = post_json(owner_client(app), version_id, json.dumps(content))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Block 2" in html or "Bloque 2" in html
    assert "mi cambio" in html  # what was typed is not lost
    assert stored(app, version_id) == [{"kind": "text", "text": "uno"}]


def test_unknown_kind_and_non_list_are_refused(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    client = owner_client(app)
    assert post_json(client, version_id, '[{"kind": "nope"}]').status_code == 400
    assert post_json(client, version_id, '{"kind": "text"}').status_code == 400
    assert stored(app, version_id) == [{"kind": "text", "text": "uno"}]


def test_csrf_is_required(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    client = owner_client(app)
    data = {"content_json": json.dumps([{"kind": "text", "text": "sin token"}]), "op": "save"}
    response = client.post(f"/documents/versions/{version_id}/edit", data=data)
    assert response.status_code == 400
    assert stored(app, version_id) == [{"kind": "text", "text": "uno"}]


def test_another_process_owner_cannot_post_json(app: Flask, org: Org) -> None:
    _, version_id = new_document(app, org, text="uno")
    make_user(app, "pablo", ["process_owner"])  # a process owner, but not of AC
    other = app.test_client()
    assert login(other, "pablo").status_code == 302
    raw = json.dumps([{"kind": "text", "text": "intruso"}])
    assert post_json(other, version_id, raw).status_code == 404
    assert stored(app, version_id) == [{"kind": "text", "text": "uno"}]


def test_without_javascript_other_kinds_are_edited_as_json(app: Flask, org: Org) -> None:
    kind = "related"
    _, version_id = new_document(app, org, text="uno")
    client = owner_client(app)
    token = csrf_token(client, "/dashboard")
    base = {"csrf_token": token, "change_summary": "", "blocks-0-kind": "text"}
    base.update({"blocks-0-origin": "0", "blocks-0-text": "uno"})
    url = f"/documents/versions/{version_id}/edit"
    assert client.post(url, data={**base, "op": f"add-{kind}"}).status_code == 302
    assert stored(app, version_id)[1]["kind"] == kind
    html = client.get(url).get_data(as_text=True)
    assert 'name="blocks-1-json"' in html
    broken = {**base, "blocks-1-kind": kind, "blocks-1-origin": "1", "blocks-1-json": "{"}
    response = client.post(url, data={**broken, "op": "save"})
    assert response.status_code == 400 and "blocks-1-json-error" in response.get_data(as_text=True)
    assert stored(app, version_id)[1]["kind"] == kind


def test_config_offers_registered_kinds_with_empty_blocks(app: Flask) -> None:
    with app.test_request_context():
        config = editor_config()
    kinds = [item["kind"] for item in config["kinds"]]
    assert kinds[:2] == ["text", "table"]
    assert set(kinds) == set(block_model.BLOCK_KINDS)
    for kind in kinds:
        if kind in EMPTY_BLOCKS:
            block_model.clean_blocks([config["empty"][kind]])  # an added block can be saved
