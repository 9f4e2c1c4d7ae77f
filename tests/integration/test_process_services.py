"""Process map services: validation, ownership rules and one trail event per change."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.core.errors import Conflict, PermissionDenied, ValidationFailed
from qms.processes import services
from qms.processes.models import Process
from qms.trail.models import TrailEvent
from qms.users.models import User
from tests.helpers import make_user


@pytest.fixture
def ctx(app):
    """An app context with a quality lead, a process owner, a staff member and an inactive user."""
    make_user(app, "lead", ["quality_lead"])
    make_user(app, "owner", ["process_owner"])
    make_user(app, "other", ["process_owner"])
    make_user(app, "staff", ["staff"])
    make_user(app, "gone", ["staff"])
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "gone").values(active=False))
        db.session.commit()
        yield
        db.session.rollback()


def user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


def events(action: str) -> list[TrailEvent]:
    return list(
        db.session.scalars(
            sa.select(TrailEvent).where(TrailEvent.action == action).order_by(TrailEvent.seq)
        )
    )


def make(code: str = "AC", **values) -> Process:
    fields = {"name": f"Proceso {code}", "type": "core", **values}
    return services.create_process(db.session, user("lead"), code=code, **fields)


def test_create_records_one_event(ctx):
    process = make(
        "ac", objective=" Atender PQRS ", leader_id=user("owner").id, member_ids=[user("staff").id]
    )
    assert process.code == "AC"  # upper-cased, not refused
    assert process.objective == "Atender PQRS"
    [event] = events("process:create")
    assert event.object_id == str(process.id)
    assert '"code":"AC"' in event.after
    assert f'"member_ids":[{user("staff").id}]' in event.after


@pytest.mark.parametrize("code", ["", "A B", "AC_1", "A" * 21, "AC/1", "ÁC"])
def test_code_format_is_checked(ctx, code):
    with pytest.raises(ValidationFailed) as caught:
        make(code)
    assert caught.value.field == "code"
    assert events("process:create") == []


@pytest.mark.sql
def test_duplicate_code_conflicts(ctx):
    make("AC")
    with pytest.raises(Conflict):
        make("AC")


def test_type_must_be_known(ctx):
    with pytest.raises(ValidationFailed) as caught:
        make("AC", type="misional")
    assert caught.value.field == "type"


def test_parent_must_exist_and_be_active(ctx):
    with pytest.raises(ValidationFailed) as caught:
        make("CL", parent_id=9999)
    assert caught.value.field == "parent_id"
    parent = make("AC")
    services.set_process_active(db.session, user("lead"), parent.id, False, "fusionado")
    with pytest.raises(ValidationFailed):
        make("CL", parent_id=parent.id)


def test_parent_cannot_make_a_cycle(ctx):
    top = make("AC")
    child = make("CL", parent_id=top.id)
    grandchild = make("CL-1", parent_id=child.id)
    for parent in (top, grandchild):
        with pytest.raises(ValidationFailed) as caught:
            services.update_process(
                db.session, user("lead"), top.id, name="x", objective="", parent_id=parent.id
            )
        assert caught.value.field == "parent_id"
    assert top.parent_id is None


def test_leader_and_members_must_be_active(ctx):
    with pytest.raises(ValidationFailed) as caught:
        make("AC", leader_id=user("gone").id)
    assert caught.value.field == "leader_id"
    with pytest.raises(ValidationFailed) as caught:
        make("AC", member_ids=[user("gone").id])
    assert caught.value.field == "member_ids"


@pytest.mark.parametrize("name", ["staff", "owner"])
def test_create_needs_process_manage(ctx, name):
    with pytest.raises(PermissionDenied):
        services.create_process(db.session, user(name), code="AC", name="Atención", type="core")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Process)) == 0


def test_leader_edits_name_objective_members(ctx):
    process = make("AC", leader_id=user("owner").id)
    services.update_process(
        db.session,
        user("owner"),
        process.id,
        name="Atención al Cliente",
        objective="Nuevo objetivo",
        member_ids=[user("staff").id],
        type="core",  # unchanged values are allowed
    )
    [event] = events("process:update")
    assert event.actor_name == "owner"
    assert set(json.loads(event.after)) == {"name", "objective", "member_ids"}
    assert json.loads(event.before)["member_ids"] == []


@pytest.mark.parametrize("change", [{"type": "support"}, {"leader_id": None}, {"parent_id": None}])
def test_leader_cannot_change_type_parent_or_leader(ctx, change):
    parent = make("DE", type="strategic")
    process = make("AC", leader_id=user("owner").id)
    if "parent_id" in change:
        services.update_process(
            db.session, user("lead"), process.id, name="AC", objective="", parent_id=parent.id
        )
    with pytest.raises(PermissionDenied):
        services.update_process(
            db.session, user("owner"), process.id, name="AC", objective="", **change
        )


def test_owner_of_another_process_is_refused(ctx):
    process = make("AC", leader_id=user("other").id)
    with pytest.raises(PermissionDenied):
        services.update_process(db.session, user("owner"), process.id, name="x", objective="")
    with pytest.raises(PermissionDenied):
        services.set_members(db.session, user("owner"), process.id, [user("staff").id])
    assert events("process:update") == [] and events("process:members") == []


def test_no_change_writes_no_event(ctx):
    process = make("AC", objective="Obj")
    services.update_process(
        db.session, user("lead"), process.id, name="Proceso AC", objective="Obj"
    )
    assert events("process:update") == []


def test_set_members_by_leader(ctx):
    process = make("AC", leader_id=user("owner").id)
    services.set_members(db.session, user("owner"), process.id, [user("staff").id])
    [event] = events("process:members")
    assert event.before == '{"member_ids":[]}'
    assert event.after == f'{{"member_ids":[{user("staff").id}]}}'
    assert [u.username for u in process.members] == ["staff"]


def test_deactivate_needs_reason_and_inactive_children(ctx):
    top = make("AC")
    child = make("CL", parent_id=top.id)
    with pytest.raises(ValidationFailed) as caught:
        services.set_process_active(db.session, user("lead"), child.id, False, " ")
    assert caught.value.field == "reason"
    with pytest.raises(ValidationFailed):
        services.set_process_active(db.session, user("lead"), top.id, False, "fusionado")
    services.set_process_active(db.session, user("lead"), child.id, False, "fusionado")
    services.set_process_active(db.session, user("lead"), top.id, False, "fusionado")
    assert [e.reason for e in events("process:deactivate")] == ["fusionado", "fusionado"]
    with pytest.raises(ValidationFailed):
        services.set_process_active(db.session, user("lead"), child.id, True)
    services.set_process_active(db.session, user("lead"), top.id, True)
    [event] = events("process:activate")
    assert event.after == '{"active":true}'


def test_leader_cannot_deactivate(ctx):
    process = make("AC", leader_id=user("owner").id)
    with pytest.raises(PermissionDenied):
        services.set_process_active(db.session, user("owner"), process.id, False, "no")
    assert process.active
