"""`qms demo`: the Spanish demo organisation, built once however often it runs."""

from __future__ import annotations

import re

import sqlalchemy as sa

from qms.core.db import db
from qms.demo import PROCESSES, USERS, build_demo, demo_command
from qms.processes.models import Process
from qms.trail.services import verify_chain
from qms.users.models import User
from tests.helpers import login, make_user, trail_events

ROW = re.compile(r"^(\S+)\s+(\S+)\s+(\w+)$", re.MULTILINE)


def _run(app) -> dict[str, str]:
    result = app.test_cli_runner().invoke(demo_command)
    assert result.exit_code == 0, result.output
    assert "DEMO ONLY" in result.output
    logins = {m[0]: m[1] for m in ROW.findall(result.output) if m[0] != "username"}
    assert set(logins) == {u.username for u in USERS}
    return logins


def test_demo_twice_builds_everything_once(app):
    first = _run(app)
    second = _run(app)
    for username, password in second.items():
        assert len(password) >= 12
        assert password == first[username]  # kept: see test_demo_logins.py
    with app.app_context():
        users = db.session.scalars(sa.select(User).order_by(User.username)).all()
        assert sorted(u.username for u in users) == sorted(u.username for u in USERS)
        assert {next(iter(u.role_names)) for u in users} == {
            "admin",
            "quality_lead",
            "approver",
            "process_owner",
            "auditor",
            "staff",
        }
        assert all(u.locale == "es" and u.job_title for u in users)
        processes = {p.code: p for p in db.session.scalars(sa.select(Process))}
        assert set(processes) == {p.code for p in PROCESSES}
        assert {p.type for p in processes.values()} == {
            "strategic",
            "core",
            "support",
            "evaluation",
        }
        assert processes["AC"].type == "core"
        assert processes["CL"].parent_id == processes["AC"].id
        assert processes["AC"].objective.startswith("Establecer actividades")
        assert all(p.leader_id for p in processes.values())
        checked, problem = verify_chain(db.session)
        assert problem is None and checked > 0
    assert len(trail_events(app, "user:create")) == len(USERS)
    assert len(trail_events(app, "process:create")) == len(PROCESSES)
    assert trail_events(app, "user:password_reset") == []
    username = USERS[0].username
    assert login(app.test_client(), username, second[username]).status_code == 302


def test_demo_leaves_other_accounts_alone(app):
    """An operator's own `admin` keeps its password; the demo still builds the rest."""
    make_user(app, "admin", ["admin"], password="operator-secret-123")
    with app.app_context():
        logins = {u: p for u, p, _role in build_demo(db.session)}
        db.session.commit()
    assert logins["admin"] == ""
    assert trail_events(app, "user:password_reset") == []
    assert login(app.test_client(), "admin", "operator-secret-123").status_code == 302
