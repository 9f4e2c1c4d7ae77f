"""The embedded setup ticks by itself: due versions take effect and reminders go out without a
cron job; elsewhere the tick is left to the operator's scheduler."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask

from qms import tick
from qms.config import EMBEDDED_TICK_MINUTES, Settings
from qms.core.db import db
from qms.documents import approval
from qms.documents.models import DocumentVersion, VersionState
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, days_pass


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(instance_path=tmp_path, database_url=url, secret_key="x").resolved()


def test_the_embedded_setup_ticks_every_quarter_hour_and_a_server_setup_leaves_it_to_cron(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("QMS_TICK_MINUTES", raising=False)
    sqlite = _settings(tmp_path / "a", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert sqlite.tick_interval_minutes == EMBEDDED_TICK_MINUTES == 15
    server = _settings(tmp_path / "b", "postgresql+psycopg://qms@db.example/qms")
    assert server.tick_interval_minutes == 0
    monkeypatch.setenv("QMS_TICK_MINUTES", "0")
    assert (
        _settings(tmp_path / "c", f"sqlite:///{tmp_path / 'c.sqlite3'}").tick_interval_minutes == 0
    )


def test_the_schedule_makes_a_due_version_take_effect_and_runs_the_reminders(app: Flask):
    org = build_org(app)
    _, version_id = new_document(app, org)
    tomorrow = approval.today() + timedelta(days=1)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(
            db.session, user(org.approver_id), version_id, PASSWORD, effective_from=tomorrow
        )
        db.session.commit()
    reminders: list[int] = []
    with pytest.MonkeyPatch.context() as patch:
        days_pass(patch, 1)
        send = tick.send_reminders
        patch.setattr(tick, "send_reminders", lambda *args: reminders.append(1) or send(*args))
        stop = tick.start_schedule(app, every_s=0.05, first_s=0.01)
        try:
            deadline = time.monotonic() + 20
            while len(reminders) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            stop.set()
    assert len(reminders) >= 2  # it keeps ticking
    with app.app_context():
        version = db.session.get(DocumentVersion, version_id)
        assert version is not None and version.state == VersionState.EFFECTIVE
