"""Several writers at once: no lost write, no "database is locked", an unbroken trail."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from qms.core.db import create_db_engine
from qms.trail import services as trail
from qms.trail.models import TrailEvent
from qms.users import services as users
from qms.users.models import User

EVENTS_EACH = 15
USERS_EACH = 1
THREADS = 4
PROCESSES = 3


def _write(factory: Callable[[], Session], tag: str) -> None:
    """One writer: events and accounts, each in its own transaction, committed."""
    for i in range(EVENTS_EACH):
        with factory() as session:
            trail.record(session, "test:write", "writer", f"{tag}-{i}", client_address=tag)
            session.commit()
    for i in range(USERS_EACH):
        with factory() as session:
            users.create_user(
                session,
                None,
                username=f"{tag}-user{i}",
                full_name=f"Writer {tag} {i}",
                password="concurrent-writer-pass",
                bypass_permission=True,
            )
            session.commit()


def _process_writer(url: str, tag: str, ready: Any, go: Any, results: Any) -> None:
    """Entry point of a spawned process: its own engine, as a second app server would have."""
    import qms.models  # noqa: F401  (every mapper, as in the app)

    engine = create_db_engine(url)
    try:
        ready.put(tag)
        go.wait(30)
        _write(sessionmaker(bind=engine, expire_on_commit=False), tag)
        results.put((tag, None))
    except Exception as exc:  # reported to the parent, which fails the test
        results.put((tag, repr(exc)))
    finally:
        engine.dispose()


def _run_threads(
    factory: Callable[[], Session], tags: list[str], start: threading.Event
) -> tuple[list[threading.Thread], list[str]]:
    errors: list[str] = []

    def run(tag: str) -> None:
        start.wait(30)
        try:
            _write(factory, tag)
        except Exception as exc:
            errors.append(f"{tag}: {exc!r}")

    threads = [threading.Thread(target=run, args=(tag,)) for tag in tags]
    for thread in threads:
        thread.start()
    return threads, errors


def _assert_nothing_lost(app: Flask, writers: list[str]) -> None:
    factory = app.extensions["qms_db"].session_factory
    with factory() as session:
        seqs = list(session.scalars(sa.select(TrailEvent.seq).order_by(TrailEvent.seq)))
        expected = len(writers) * (EVENTS_EACH + USERS_EACH)
        assert seqs == list(range(1, expected + 1))
        for tag in writers:
            written = session.scalar(
                sa.select(sa.func.count())
                .select_from(TrailEvent)
                .where(TrailEvent.action == "test:write", TrailEvent.client_address == tag)
            )
            assert written == EVENTS_EACH, tag
        names = set(session.scalars(sa.select(User.username)))
        assert {f"{t}-user{i}" for t in writers for i in range(USERS_EACH)} <= names
        assert trail.verify_chain(session) == (expected, None)


@pytest.mark.sql
def test_threads_write_at_once(app: Flask) -> None:
    factory = app.extensions["qms_db"].session_factory
    tags = [f"t{n}" for n in range(THREADS)]
    start = threading.Event()
    threads, errors = _run_threads(factory, tags, start)
    started = time.monotonic()
    start.set()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert time.monotonic() - started < 30
    _assert_nothing_lost(app, tags)


def test_processes_and_threads_write_at_once(app: Flask) -> None:
    """SQLite only: separate processes share its file through file locks alone (PostgreSQL's
    processes are covered by the race and kill tests)."""
    url = app.extensions["qms_db"].url
    assert url.startswith("sqlite")
    ctx = multiprocessing.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    proc_tags = [f"p{n}" for n in range(PROCESSES)]
    processes = [
        ctx.Process(target=_process_writer, args=(url, tag, ready, go, results))
        for tag in proc_tags
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=30)  # every process has imported and connected
        thread_tags = [f"t{n}" for n in range(2)]
        start = threading.Event()
        threads, errors = _run_threads(app.extensions["qms_db"].session_factory, thread_tags, start)
        go.set()
        start.set()
        outcomes = dict(results.get(timeout=60) for _ in processes)
        for thread in threads:
            thread.join(60)
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
    assert outcomes == dict.fromkeys(proc_tags), outcomes
    assert not errors, errors
    assert all(process.exitcode == 0 for process in processes)
    _assert_nothing_lost(app, proc_tags + thread_tags)


def test_sqlite_pragmas_on_a_new_connection(sqlite_url: str) -> None:
    engine = create_db_engine(sqlite_url, sqlite_busy_ms=4321)
    try:
        with engine.connect() as conn:
            pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert pragma("foreign_keys") == 1
            assert pragma("journal_mode") == "delete"
            assert pragma("synchronous") == 2  # FULL
            assert pragma("busy_timeout") == 4321
    finally:
        engine.dispose()


def test_app_engine_uses_the_pragmas(app: Flask) -> None:
    engine = app.extensions["qms_db"].engine
    assert engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
