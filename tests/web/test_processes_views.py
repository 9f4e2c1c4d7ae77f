"""Process map pages: each action refused without the permission, done and recorded with it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.processes import services
from qms.processes.models import Process
from qms.users.models import User
from tests.helpers import csrf_token, make_user, trail_events


def _user_id(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def _process(app, code: str) -> Process:
    with app.app_context():
        return db.session.scalar(sa.select(Process).where(Process.code == code))


def _make_process(app, code: str, **values) -> int:
    fields = {"name": f"Proceso {code}", "type": "core", **values}
    with app.app_context():
        process = services.create_process(
            db.session, None, code=code, bypass_permission=True, **fields
        )
        db.session.commit()
        return process.id


@pytest.fixture
def macro(app) -> int:
    return _make_process(app, "AC", name="Atención al Cliente")


def _post(client, path: str, data: dict, form_path: str | None = None):
    token = csrf_token(client, form_path or path)
    return client.post(path, data={**data, "csrf_token": token})


def test_map_groups_by_type_and_nests_children(app, client_as, macro):
    _make_process(app, "CL", name="Centro de Llamadas", parent_id=macro)
    _make_process(app, "TH", name="Talento Humano", type="support")
    page = client_as("staff").get("/processes/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="type-core"' in html and 'id="type-support"' in html
    # The child's list sits inside its macro-process's item.
    core = html[html.index('id="type-core"') : html.index('id="type-support"')]
    assert core.index("Atención al Cliente") < core.index("Centro de Llamadas")
    assert core.count('class="plain process-tree"') == 2


def test_show_lists_leader_members_children(app, client_as, macro):
    make_user(app, "luisa", ["process_owner"], full_name="Luisa Ospina")
    make_user(app, "diana", ["staff"], full_name="Diana Vargas")
    child = _make_process(
        app,
        "CL",
        name="Centro de Llamadas",
        parent_id=macro,
        leader_id=_user_id(app, "luisa"),
        member_ids=[_user_id(app, "diana")],
        objective="Apoyar el recaudo",
    )
    html = client_as("staff").get(f"/processes/{child}").get_data(as_text=True)
    for text in ("Luisa Ospina", "Diana Vargas", "Apoyar el recaudo", "Atención al Cliente"):
        assert text in html
    parent_html = client_as("auditor").get(f"/processes/{macro}").get_data(as_text=True)
    assert "Centro de Llamadas" in parent_html
    assert client_as("staff").get("/processes/9999").status_code == 404


@pytest.mark.parametrize("role", ["staff", "auditor", "process_owner"])
def test_create_refused_without_permission(app, client_as, role):
    client = client_as(role)
    assert client.get("/processes/new").status_code == 403
    token = csrf_token(client, "/dashboard")
    response = client.post(
        "/processes/new",
        data={"code": "AC", "name": "Atención", "type": "core", "csrf_token": token},
    )
    assert response.status_code == 403
    assert _process(app, "AC") is None
    assert trail_events(app, "process:create") == []


@pytest.mark.parametrize("role", ["admin", "quality_lead"])
def test_create_allowed_and_recorded(app, client_as, macro, role):
    client = client_as(role)
    make_user(app, "luisa", ["process_owner"])
    response = _post(
        client,
        "/processes/new",
        {
            "code": "CL",
            "name": "Centro de Llamadas",
            "type": "core",
            "parent_id": str(macro),
            "leader_id": str(_user_id(app, "luisa")),
            "objective": "Apoyar el recaudo",
            "member_ids": [str(_user_id(app, "luisa"))],
        },
    )
    assert response.status_code == 302
    process = _process(app, "CL")
    assert process.parent_id == macro and process.leader_id == _user_id(app, "luisa")
    assert [e.object_id for e in trail_events(app, "process:create")][-1] == str(process.id)
    assert len(trail_events(app, "process:create")) == 2  # the fixture's and this one


def test_create_invalid_code_is_400(app, client_as):
    client = client_as("quality_lead")
    response = _post(client, "/processes/new", {"code": "A B", "name": "X", "type": "core"})
    assert response.status_code == 400
    assert "letras mayúsculas" in response.get_data(as_text=True)  # the Spanish UI
    assert trail_events(app, "process:create") == []


def test_create_duplicate_code_is_409(app, client_as, macro):
    client = client_as("quality_lead")
    response = _post(client, "/processes/new", {"code": "AC", "name": "Otro", "type": "core"})
    assert response.status_code == 409
    assert len(trail_events(app, "process:create")) == 1


@pytest.mark.parametrize("role", ["staff", "auditor", "process_owner"])
def test_edit_refused_to_non_leaders(app, client_as, macro, role):
    client = client_as(role)
    assert client.get(f"/processes/{macro}/edit").status_code == 403
    token = csrf_token(client, "/dashboard")
    response = client.post(
        f"/processes/{macro}/edit", data={"name": "Cambiado", "csrf_token": token}
    )
    assert response.status_code == 403
    assert _process(app, "AC").name == "Atención al Cliente"
    assert trail_events(app, "process:update") == []


def test_leader_edits_own_process_but_not_its_leader_or_type(app, client_as):
    client = client_as("process_owner", username="luisa")
    make_user(app, "diana", ["staff"])
    process_id = _make_process(app, "AC", leader_id=_user_id(app, "luisa"))
    form = client.get(f"/processes/{process_id}/edit").get_data(as_text=True)
    assert 'name="type"' not in form and 'name="leader_id"' not in form
    response = _post(
        client,
        f"/processes/{process_id}/edit",
        {
            "name": "Atención al Cliente",
            "objective": "Nuevo",
            "member_ids": [str(_user_id(app, "diana"))],
            # Fields the leader may not change are ignored, not applied.
            "type": "support",
            "leader_id": "",
            "code": "ZZ",
        },
    )
    assert response.status_code == 302
    process = _process(app, "AC")
    assert (process.name, process.type, process.leader_id) == (
        "Atención al Cliente",
        "core",
        _user_id(app, "luisa"),
    )
    [event] = trail_events(app, "process:update")
    assert event.actor_name == "luisa"
    assert '"type"' not in event.after and '"objective":"Nuevo"' in event.after


def test_quality_lead_changes_type_parent_leader(app, client_as, macro):
    client = client_as("quality_lead")
    make_user(app, "luisa", ["process_owner"])
    child = _make_process(app, "CL", type="support")
    response = _post(
        client,
        f"/processes/{child}/edit",
        {
            "name": "Centro de Llamadas",
            "type": "core",
            "parent_id": str(macro),
            "leader_id": str(_user_id(app, "luisa")),
        },
    )
    assert response.status_code == 302
    process = _process(app, "CL")
    assert (process.type, process.parent_id, process.code) == ("core", macro, "CL")
    assert len(trail_events(app, "process:update")) == 1


def test_edit_cycle_shows_error_by_field(app, client_as, macro):
    child = _make_process(app, "CL", parent_id=macro)
    client = client_as("admin")
    response = _post(
        client,
        f"/processes/{macro}/edit",
        {"name": "AC", "type": "core", "parent_id": str(child), "leader_id": ""},
    )
    assert response.status_code == 400
    assert 'id="parent_id-error"' in response.get_data(as_text=True)
    assert _process(app, "AC").parent_id is None


@pytest.mark.parametrize("role", ["staff", "auditor", "process_owner"])
def test_deactivate_refused_without_permission(app, client_as, macro, role):
    client = client_as(role)
    token = csrf_token(client, "/dashboard")
    response = client.post(
        f"/processes/{macro}/deactivate", data={"reason": "x", "csrf_token": token}
    )
    assert response.status_code == 403
    assert _process(app, "AC").active
    assert trail_events(app, "process:deactivate") == []


def test_deactivate_then_activate(app, client_as, macro):
    client = client_as("quality_lead")
    path = f"/processes/{macro}"
    no_reason = _post(client, f"{path}/deactivate", {"reason": ""}, path)
    assert no_reason.status_code == 400
    assert _process(app, "AC").active
    response = _post(client, f"{path}/deactivate", {"reason": "Fusionado con GCR"}, path)
    assert response.status_code == 302
    assert not _process(app, "AC").active
    [event] = trail_events(app, "process:deactivate")
    assert event.reason == "Fusionado con GCR"
    link = f'href="/processes/{macro}"'
    assert link not in client.get("/processes/").get_data(as_text=True)
    assert link in client.get("/processes/?inactive=1").get_data(as_text=True)
    assert _post(client, f"{path}/activate", {}, path).status_code == 302
    assert _process(app, "AC").active
    assert len(trail_events(app, "process:activate")) == 1


def test_post_without_csrf_is_refused(app, client_as, macro):
    client = client_as("admin")
    response = client.post(f"/processes/{macro}/deactivate", data={"reason": "x"})
    assert response.status_code == 400
    assert _process(app, "AC").active
