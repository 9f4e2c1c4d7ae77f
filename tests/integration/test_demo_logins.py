"""`qms demo` keeps the logins it printed (in an owner-only file) until told to reset them."""

from __future__ import annotations

import stat
from pathlib import Path

from flask import Flask

from qms.demo import USERS, demo_command, logins_path, read_logins
from tests.helpers import login, trail_events


def _run(app: Flask, *args: str) -> tuple[str, dict[str, str]]:
    result = app.test_cli_runner().invoke(demo_command, list(args))
    assert result.exit_code == 0, result.output
    path = logins_path(app.instance_path)
    assert str(path) in result.output
    return result.output, read_logins(path)


def test_second_run_keeps_the_logins_and_reset_changes_them(app: Flask) -> None:
    first_output, first = _run(app)
    path = Path(logins_path(app.instance_path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {u.username for u in USERS}
    assert all(password in first_output for password in first.values())

    second_output, second = _run(app)
    assert second == first
    assert all(password in second_output for password in first.values())
    assert trail_events(app, "user:password_reset") == []
    assert login(app.test_client(), "calidad", first["calidad"]).status_code == 302

    _output, third = _run(app, "--reset-passwords")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert all(third[name] != first[name] for name in first)
    assert len(trail_events(app, "user:password_reset")) == len(USERS)
    assert login(app.test_client(), "calidad", third["calidad"]).status_code == 302
    assert login(app.test_client(), "calidad", first["calidad"]).status_code == 401
