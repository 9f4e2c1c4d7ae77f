"""User administration pages: refused without the permission, done and recorded with it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.processes import services as process_services
from qms.users.models import User
from tests.helpers import PASSWORD, csrf_token, login, make_user, trail_events

NEW_PASSWORD = "otra-clave-segura-2024"


def _user(app, username: str) -> User:
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username == username))


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/dashboard")})


@pytest.fixture
def ana(app) -> int:
    return make_user(
        app, "ana", ["staff"], full_name="Ana Gómez", job_title="Auxiliar", email="ana@x.co"
    ).id


@pytest.mark.parametrize("role", ["staff", "process_owner"])
def test_list_and_show_refused_without_user_read(client_as, ana, role):
    client = client_as(role)
    assert client.get("/admin/users/").status_code == 403
    assert client.get(f"/admin/users/{ana}").status_code == 403


@pytest.mark.parametrize("role", ["admin", "quality_lead", "auditor"])
def test_list_and_show_with_user_read(client_as, ana, role):
    client = client_as(role)
    html = client.get("/admin/users/").get_data(as_text=True)
    assert "Ana Gómez" in html and '<th scope="col">' in html
    assert client.get(f"/admin/users/{ana}").status_code == 200
    assert client.get("/admin/users/9999").status_code == 404


def test_list_filters_by_role_state_and_name(app, client_as, ana):
    make_user(app, "bruno", ["auditor"], full_name="Bruno Díaz")
    make_user(app, "carla", ["staff"], full_name="Carla Ruiz")
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "carla").values(active=False))
        db.session.commit()
    client = client_as("auditor")

    def names(query: str) -> set[str]:
        html = client.get(f"/admin/users/?{query}").get_data(as_text=True)
        return {n for n in ("Ana Gómez", "Bruno Díaz", "Carla Ruiz") if n in html}

    assert names("") == {"Ana Gómez", "Bruno Díaz"}  # active by default
    assert names("state=all") == {"Ana Gómez", "Bruno Díaz", "Carla Ruiz"}
    assert names("state=inactive") == {"Carla Ruiz"}
    assert names("role=auditor") == {"Bruno Díaz"}
    assert names("q=gómez") == {"Ana Gómez"}
    assert names("q=%25") == set()  # a LIKE wildcard matches literally
    assert names("role=bogus") == {"Ana Gómez", "Bruno Díaz"}  # an invalid filter is ignored


def test_show_lists_process_membership(app, client_as, ana):
    with app.app_context():
        process_services.create_process(
            db.session,
            None,
            code="AC",
            name="Atención al Cliente",
            type="core",
            member_ids=[ana],
            bypass_permission=True,
        )
        process_services.create_process(
            db.session,
            None,
            code="GCR",
            name="Relaciones Corporativas",
            type="core",
            leader_id=ana,
            bypass_permission=True,
        )
        db.session.commit()
    html = client_as("auditor").get(f"/admin/users/{ana}").get_data(as_text=True)
    assert "Atención al Cliente" in html and "Relaciones Corporativas" in html


CREATE = {
    "username": "nuevo",
    "full_name": "Nuevo Usuario",
    "job_title": "Analista",
    "email": "nuevo@x.co",
    "locale": "en",
    "roles": ["auditor", "staff"],
    "password": NEW_PASSWORD,
}


@pytest.mark.parametrize("role", ["staff", "auditor", "quality_lead", "process_owner"])
def test_create_refused_without_user_manage(app, client_as, role):
    client = client_as(role)
    assert client.get("/admin/users/new").status_code == 403
    assert _post(client, "/admin/users/new", CREATE).status_code == 403
    assert _user(app, "nuevo") is None
    assert [e.object_id for e in trail_events(app, "user:create")] == [
        str(_user(app, client.username).id)
    ]


def test_admin_creates_user_with_several_roles(app, client_as):
    client = client_as("admin")
    assert client.get("/admin/users/new").status_code == 200
    response = _post(client, "/admin/users/new", CREATE)
    assert response.status_code == 302
    user = _user(app, "nuevo")
    assert user.role_names == {"auditor", "staff"}
    assert (user.locale, user.job_title) == ("en", "Analista")
    event = trail_events(app, "user:create")[-1]
    assert event.actor_name == client.username and event.object_id == str(user.id)
    assert login(app.test_client(), "nuevo", NEW_PASSWORD).status_code == 302


def test_create_duplicate_or_weak_password_is_400(app, client_as, ana):
    client = client_as("admin")
    taken = _post(client, "/admin/users/new", {**CREATE, "username": "ana"})
    assert taken.status_code == 400 and 'id="username-error"' in taken.get_data(as_text=True)
    weak = _post(client, "/admin/users/new", {**CREATE, "password": "corta"})
    assert weak.status_code == 400 and 'id="password-error"' in weak.get_data(as_text=True)
    assert _user(app, "nuevo") is None
    assert len(trail_events(app, "user:create")) == 2  # ana and the admin


@pytest.mark.parametrize("role", ["auditor", "quality_lead"])
def test_edit_refused_without_user_manage(app, client_as, ana, role):
    client = client_as(role)
    assert client.get(f"/admin/users/{ana}/edit").status_code == 403
    response = _post(client, f"/admin/users/{ana}/edit", {"full_name": "X", "locale": "es"})
    assert response.status_code == 403
    assert _user(app, "ana").full_name == "Ana Gómez"
    assert trail_events(app, "user:update") == []


def test_admin_edits_profile_and_roles_but_not_username(app, client_as, ana):
    client = client_as("admin")
    page = client.get(f"/admin/users/{ana}/edit").get_data(as_text=True)
    assert 'name="username"' not in page
    assert re.search(r'<input checked[^>]*value="staff"', page)
    response = _post(
        client,
        f"/admin/users/{ana}/edit",
        {
            "username": "otra",
            "full_name": "Ana María Gómez",
            "job_title": "Auxiliar",
            "email": "ana@x.co",
            "locale": "es",
            "roles": ["staff", "process_owner"],
        },
    )
    assert response.status_code == 302
    user = _user(app, "ana")
    assert user.full_name == "Ana María Gómez"
    assert user.role_names == {"staff", "process_owner"}
    assert _user(app, "otra") is None
    [event] = trail_events(app, "user:update")
    assert '"roles":["process_owner","staff"]' in event.after
    assert "username" not in event.after


def test_admin_cannot_drop_own_admin_role(app, client_as):
    client = client_as("admin")
    me = _user(app, client.username).id
    response = _post(
        client, f"/admin/users/{me}/edit", {"full_name": "Yo", "locale": "es", "roles": ["staff"]}
    )
    assert response.status_code == 400
    assert "admin" in _user(app, client.username).role_names


@pytest.mark.parametrize("role", ["auditor", "quality_lead", "staff"])
def test_deactivate_refused_without_user_manage(app, client_as, ana, role):
    client = client_as(role)
    assert _post(client, f"/admin/users/{ana}/deactivate", {"reason": "x"}).status_code == 403
    assert _user(app, "ana").active
    assert trail_events(app, "user:deactivate") == []


def test_deactivate_needs_reason_and_ends_sessions(app, client_as, ana):
    ana_client = app.test_client()
    assert login(ana_client, "ana", PASSWORD).status_code == 302
    client = client_as("admin")
    assert _post(client, f"/admin/users/{ana}/deactivate", {"reason": ""}).status_code == 400
    assert _user(app, "ana").active
    response = _post(client, f"/admin/users/{ana}/deactivate", {"reason": "Retiro voluntario"})
    assert response.status_code == 302
    assert not _user(app, "ana").active
    [event] = trail_events(app, "user:deactivate")
    assert event.reason == "Retiro voluntario" and event.actor_name == client.username
    assert ana_client.get("/dashboard").status_code == 302  # back to the login page
    assert _post(client, f"/admin/users/{ana}/activate", {}).status_code == 302
    assert _user(app, "ana").active
    assert len(trail_events(app, "user:activate")) == 1


def test_admin_cannot_deactivate_self(app, client_as):
    client = client_as("admin")
    me = _user(app, client.username).id
    assert _post(client, f"/admin/users/{me}/deactivate", {"reason": "x"}).status_code == 400
    assert _user(app, client.username).active


@pytest.mark.parametrize("role", ["auditor", "quality_lead"])
def test_reset_password_refused_without_user_manage(app, client_as, ana, role):
    client = client_as(role)
    response = _post(client, f"/admin/users/{ana}/password", {"password": NEW_PASSWORD})
    assert response.status_code == 403
    assert trail_events(app, "user:password_reset") == []
    assert login(app.test_client(), "ana", PASSWORD).status_code == 302


def test_admin_resets_password_and_ends_sessions(app, client_as, ana):
    ana_client = app.test_client()
    assert login(ana_client, "ana", PASSWORD).status_code == 302
    client = client_as("admin")
    weak = _post(client, f"/admin/users/{ana}/password", {"password": "corta"})
    assert weak.status_code == 400
    response = _post(client, f"/admin/users/{ana}/password", {"password": NEW_PASSWORD})
    assert response.status_code == 302
    [event] = trail_events(app, "user:password_reset")
    assert event.object_id == str(ana) and '"sessions_ended":1' in event.after
    assert ana_client.get("/dashboard").status_code == 302
    assert login(app.test_client(), "ana", PASSWORD).status_code == 401
    assert login(app.test_client(), "ana", NEW_PASSWORD).status_code == 302


def test_post_without_csrf_is_refused(app, client_as, ana):
    client = client_as("admin")
    response = client.post(f"/admin/users/{ana}/deactivate", data={"reason": "x"})
    assert response.status_code == 400
    assert _user(app, "ana").active
