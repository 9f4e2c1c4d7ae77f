"""The after-commit outbox: parked jobs run once after the commit, never after a rollback."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core.outbox import after_commit


@pytest.fixture
def session() -> Iterator[Session]:
    engine = sa.create_engine("sqlite://")
    with Session(engine) as session:
        session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        yield session
    engine.dispose()


def _write(session: Session) -> None:
    session.execute(sa.text("INSERT INTO t VALUES (1)"))


def test_a_job_runs_once_after_the_commit(session: Session) -> None:
    ran: list[str] = []
    _write(session)
    after_commit(session, "a", lambda: ran.append("a"))
    after_commit(session, "b", lambda: ran.append("b"))
    assert ran == []
    session.commit()
    assert ran == ["a", "b"]
    _write(session)
    session.commit()
    assert ran == ["a", "b"]


def test_a_rollback_or_a_close_drops_the_jobs(session: Session) -> None:
    ran: list[str] = []
    _write(session)
    after_commit(session, "a", lambda: ran.append("a"))
    session.rollback()
    _write(session)
    after_commit(session, "b", lambda: ran.append("b"))
    session.close()
    _write(session)
    session.commit()
    assert ran == []


def test_a_released_savepoint_waits_for_the_outer_commit(session: Session) -> None:
    ran: list[str] = []
    _write(session)
    with session.begin_nested():
        after_commit(session, "a", lambda: ran.append("a"))
    assert ran == []
    session.commit()
    assert ran == ["a"]


def test_one_job_per_key_so_that_callers_gather_into_it(session: Session) -> None:
    sent: list[int] = []

    class Mails:
        def __init__(self) -> None:
            self.items: list[int] = []

        def __call__(self) -> None:
            sent.extend(self.items)

    _write(session)
    after_commit(session, "mails", Mails()).items.append(1)
    after_commit(session, "mails", Mails()).items.append(2)
    session.commit()
    assert sent == [1, 2]


def test_a_failing_job_is_logged_and_the_others_run(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def fail() -> None:
        raise RuntimeError("mail server down")

    _write(session)
    after_commit(session, "fails", fail)
    after_commit(session, "runs", lambda: ran.append("runs"))
    with caplog.at_level(logging.ERROR, logger="qms.core.outbox"):
        session.commit()
    assert ran == ["runs"]
    assert "after-commit job fails failed" in caplog.text
