"""Codes allocated in sequence under concurrent writers: every create succeeds with its own
number (a racing twin is retried, never a 500), and a database lock held past the wait is a
503 with Retry-After, a duplicate that surfaces anywhere a 409."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms import create_app
from qms.capa import pqrs, services
from qms.core.db import db
from qms.core.localtime import local_today
from tests.conftest import build_settings
from tests.documents_fixtures import Org, build_org, type_id, user
from tests.helpers import csrf_token, login

WRITERS = 8


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def _race(app: Flask, create: Callable[[Any], str]) -> list[str]:
    """WRITERS threads create at once, each in its own session; their codes or errors."""
    barrier = threading.Barrier(WRITERS)
    results: list[str] = [""] * WRITERS

    def run(i: int) -> None:
        with app.app_context():
            try:
                barrier.wait(30)
                results[i] = create(db.session)
                db.session.commit()
            except Exception as exc:  # reported, so the assertion shows it
                db.session.rollback()
                results[i] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.sql
def test_documents_created_at_once_each_get_their_own_code(app, org):
    def create(session: Any) -> str:
        from qms.documents.authoring import create_document

        document = create_document(
            session,
            user(org.approver_id),
            type_id=type_id("procedure"),
            process_id=org.process_id,
            title="Procedimiento",
        )
        return document.code

    codes = _race(app, create)
    assert sorted(codes) == [f"AC-PR-{n:02d}" for n in range(1, WRITERS + 1)], codes


@pytest.mark.sql
def test_nonconformities_and_requests_registered_at_once_are_numbered_without_gaps(app, org):
    year = local_today().year

    def report(session: Any) -> str:
        return services.report_nonconformity(
            session,
            user(org.staff_id),
            source="other",
            process_id=org.process_id,
            title="Extintor vencido",
            description="d",
            detected_on=local_today(),
        ).code

    def register(session: Any) -> str:
        return pqrs.register_pqrs(
            session,
            user(org.approver_id),
            kind="complaint",
            channel="email",
            customer_name="Cliente",
            text="Queja",
            received_on=local_today(),
        ).code

    assert sorted(_race(app, report)) == [f"NC-{year}-{n:04d}" for n in range(1, WRITERS + 1)]
    assert sorted(_race(app, register)) == [f"PQRS-{year}-{n:04d}" for n in range(1, WRITERS + 1)]


def test_a_lock_held_past_the_wait_is_a_503_with_retry_after(app, org, tmp_path):
    url = app.extensions["qms_db"].url
    settings = build_settings(tmp_path / "impatient", url)
    settings.sqlite_busy_timeout_ms = 300
    impatient = create_app(settings)
    holder = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        client = impatient.test_client()
        assert login(client, "sara").status_code == 302
        token = csrf_token(client, "/nonconformities/new")
        form = {
            "csrf_token": token,
            "source": "other",
            "process_id": org.process_id,
            "title": "Extintor vencido",
            "description": "d",
            "detected_on": local_today().isoformat(),
            "severity": "minor",
        }
        with holder.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # another writer keeps the lock
            response = client.post("/nonconformities/new", data=form)
            connection.exec_driver_sql("ROLLBACK")
    finally:
        holder.dispose()
        impatient.extensions["qms_db"].engine.dispose()
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"] == "2"
    assert "ocupado" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM nonconformities")) == 0


def test_a_duplicate_that_surfaces_in_a_view_is_a_409(app):
    from sqlalchemy.exc import IntegrityError

    @app.get("/test-duplicate")
    def test_duplicate():  # type: ignore[no-untyped-def]
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: documents.code"))

    response = app.test_client().get("/test-duplicate")
    assert response.status_code == 409
