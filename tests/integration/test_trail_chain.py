"""`qms trail verify` against a chain tampered with directly in the database, and the
database's own refusal to edit or delete trail rows (tests/integration/test_trail_anchor.py: the
anchors that catch a shortened chain)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.cli import main
from qms.core.db import db
from qms.trail import anchors
from qms.trail import services as trail
from qms.trail.models import TrailEvent, TrailHead
from tests.db_guards import TRAIL_GUARDS, guard_lifted

N_EVENTS = 5


def _sql(app: Flask, statement: str, **params: object) -> None:
    """Tamper as someone with database access would: raw SQL, bypassing every service, with
    the guard triggers dropped for the statement (the database refuses it otherwise)."""
    with guard_lifted(app, *TRAIL_GUARDS) as conn:
        conn.execute(sa.text(statement), params)


@pytest.fixture
def chain(app: Flask) -> Flask:
    with app.app_context():
        for n in range(1, N_EVENTS + 1):
            trail.record(
                db.session,
                "thing:update",
                "thing",
                n,
                before={"n": n - 1},
                after={"n": n, "name": f"Año {n}"},
                reason=f"step {n}",
                client_address="10.0.0.1",
            )
        db.session.commit()
    return app


def _verify(app: Flask) -> tuple[int, trail.ChainProblem | None]:
    """As `qms trail verify` does: against the anchors in the blob store too."""
    with app.app_context():
        reading = anchors.read_anchors(anchors.folder_of(app))
        return trail.verify_chain(db.session, anchors=reading.anchors)


def _assert_cli_names(app: Flask, seq: int) -> str:
    result = app.test_cli_runner().invoke(main, ["trail", "verify"])
    assert result.exit_code == 1, result.output
    assert re.search(rf"BROKEN at event #{seq}\b", result.output), result.output
    return result.output


@pytest.mark.sql
def test_intact_chain_verifies(chain: Flask) -> None:
    assert _verify(chain) == (N_EVENTS, None)
    result = chain.test_cli_runner().invoke(main, ["trail", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{N_EVENTS} events verified" in result.output


@pytest.mark.sql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE trail_events SET reason = 'x' WHERE seq = 3",
        "UPDATE trail_events SET hash = hash WHERE seq = 3",  # even a write that changes nothing
        "UPDATE trail_events SET seq = seq + 100 WHERE seq = 5",
        "DELETE FROM trail_events WHERE seq = 5",
        "DELETE FROM trail_events",
        "DELETE FROM trail_head",
        "UPDATE trail_head SET seq = 3",  # a rewind would hide events 4 and 5
        "UPDATE trail_head SET id = 2",
    ],
)
def test_the_database_refuses_to_edit_or_shorten_the_trail(chain: Flask, statement: str) -> None:
    engine = chain.extensions["qms_db"].engine
    refused = pytest.raises(sa.exc.DatabaseError, match=r"refused|never moves back")
    with refused, engine.begin() as conn:
        conn.execute(sa.text(statement))
    assert _verify(chain) == (N_EVENTS, None)
    with chain.app_context():  # the head still moves forward with every event
        trail.record(db.session, "thing:update", "thing", 6)
        db.session.commit()
    assert _verify(chain) == (N_EVENTS + 1, None)


@pytest.mark.sql
def test_the_orm_cannot_delete_or_edit_an_event_either(chain: Flask) -> None:
    with chain.app_context():
        event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.seq == 2))
        assert event is not None
        event.reason = "rewritten"
        with pytest.raises(sa.exc.DatabaseError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.get(TrailEvent, event.id))
        with pytest.raises(sa.exc.DatabaseError):
            db.session.commit()
        db.session.rollback()
    assert _verify(chain) == (N_EVENTS, None)


@pytest.mark.sql
def test_empty_chain_verifies(app: Flask) -> None:
    assert _verify(app) == (0, None)


@pytest.mark.sql
@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "x"),
        ("actor_name", "mallory"),
        ("action", "thing:delete"),
        ("object_type", "other"),
        ("object_id", "99"),
        ("before", ""),
        ("after", '{"n":300}'),
        ("client_address", "127.0.0.1"),
        ("prev_hash", "f" * 64),
        ("hash", "e" * 64),
    ],
)
def test_edited_field_is_named(chain: Flask, column: str, value: str) -> None:
    _sql(chain, f"UPDATE trail_events SET {column} = :v WHERE seq = 3", v=value)
    checked, problem = _verify(chain)
    assert problem is not None and problem.seq == 3
    assert checked == 2
    _assert_cli_names(chain, 3)


@pytest.mark.sql
def test_edited_time_is_named(chain: Flask) -> None:
    with chain.app_context():
        event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.seq == 3))
        assert event is not None
        moved = event.occurred_at - timedelta(days=1)
    with guard_lifted(chain, *TRAIL_GUARDS) as conn:
        table = TrailEvent.__table__
        conn.execute(sa.update(table).where(table.c.seq == 3).values(occurred_at=moved))
    _, problem = _verify(chain)
    assert problem is not None and (problem.seq, problem.reason) == (3, "content altered")
    _assert_cli_names(chain, 3)


def test_unreadable_time_is_named(chain: Flask) -> None:
    # SQLite only: it alone stores a timestamp as free text.
    assert chain.extensions["qms_db"].engine.dialect.name == "sqlite"
    _sql(chain, "UPDATE trail_events SET occurred_at = 'yesterday' WHERE seq = 4")
    _, problem = _verify(chain)
    assert problem is not None and problem.seq == 4 and "unreadable" in problem.reason
    _assert_cli_names(chain, 4)


@pytest.mark.sql
@pytest.mark.parametrize("seq", [1, 3])
def test_deleted_row_is_named(chain: Flask, seq: int) -> None:
    _sql(chain, "DELETE FROM trail_events WHERE seq = :s", s=seq)
    _, problem = _verify(chain)
    assert problem is not None and problem.seq == seq and "missing" in problem.reason
    _assert_cli_names(chain, seq)


@pytest.mark.sql
def test_deleted_last_row_is_named(chain: Flask) -> None:
    _sql(chain, "DELETE FROM trail_events WHERE seq = :s", s=N_EVENTS)
    checked, problem = _verify(chain)
    assert problem is not None and problem.seq == N_EVENTS and "missing" in problem.reason
    assert checked == N_EVENTS - 1
    _assert_cli_names(chain, N_EVENTS)


@pytest.mark.sql
def test_swapped_rows_are_named(chain: Flask) -> None:
    # Three steps because seq is unique (and PostgreSQL checks that per statement).
    _sql(chain, "UPDATE trail_events SET seq = -1 WHERE seq = 2")
    _sql(chain, "UPDATE trail_events SET seq = 2 WHERE seq = 4")
    _sql(chain, "UPDATE trail_events SET seq = 4 WHERE seq = -1")
    _, problem = _verify(chain)
    assert problem is not None and problem.seq == 2
    _assert_cli_names(chain, 2)


def _edit_and_rehash(app: Flask, seq: int) -> None:
    """An editor who knows the hash function: the row is self-consistent again."""
    with app.app_context():
        event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.seq == seq))
        assert event is not None
        event.reason = "nothing to see here"
        new_hash = trail.event_hash(event)
        db.session.rollback()
    _sql(
        app,
        "UPDATE trail_events SET reason = 'nothing to see here', hash = :h WHERE seq = :s",
        h=new_hash,
        s=seq,
    )


@pytest.mark.sql
def test_rehashed_row_breaks_the_next_link(chain: Flask) -> None:
    _edit_and_rehash(chain, 3)
    checked, problem = _verify(chain)
    assert problem is not None and problem.seq == 4
    assert "#3" in problem.reason
    assert checked == 3
    output = _assert_cli_names(chain, 4)
    assert "event #3" in output


@pytest.mark.sql
def test_rehashed_last_row_breaks_the_head(chain: Flask) -> None:
    _edit_and_rehash(chain, N_EVENTS)
    _, problem = _verify(chain)
    assert problem is not None and problem.seq == N_EVENTS and "head" in problem.reason
    _assert_cli_names(chain, N_EVENTS)


@pytest.mark.sql
def test_forged_row_after_the_head_is_named(chain: Flask) -> None:
    with chain.app_context():
        last = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.seq == N_EVENTS))
        assert last is not None
        forged = TrailEvent(
            seq=N_EVENTS + 1,
            occurred_at=last.occurred_at,
            actor_id=None,
            actor_name="mallory",
            action="thing:update",
            object_type="thing",
            object_id="1",
            before="",
            after="",
            reason="",
            client_address="",
            prev_hash=last.hash,
        )
        forged.hash = trail.event_hash(forged)
        db.session.add(forged)  # straight into the table: the head is not moved
        db.session.commit()
    _, problem = _verify(chain)
    assert problem is not None and problem.seq == N_EVENTS + 1
    _assert_cli_names(chain, N_EVENTS + 1)


@pytest.mark.sql
def test_removed_head_row_is_reported(chain: Flask) -> None:
    _sql(chain, "DELETE FROM trail_head")
    _, problem = _verify(chain)
    assert problem is not None and "head" in problem.reason
    result = chain.test_cli_runner().invoke(main, ["trail", "verify"])
    assert result.exit_code == 1


@pytest.mark.sql
def test_events_written_during_the_walk_are_not_a_break(chain: Flask) -> None:
    """A writer committing between reading the head and the events must not look like tampering."""
    with chain.app_context():
        head = db.session.get(TrailHead, 1)
        assert head is not None and head.seq == N_EVENTS
        db.session.rollback()
    hook: Callable[..., None]

    def hook(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM trail_events" in statement and not hook.fired:  # type: ignore[attr-defined]
            hook.fired = True  # type: ignore[attr-defined]
            with chain.app_context():
                trail.record(db.session, "thing:update", "thing", 6)
                db.session.commit()

    hook.fired = False  # type: ignore[attr-defined]
    engine = chain.extensions["qms_db"].engine
    sa.event.listen(engine, "before_cursor_execute", hook)
    try:
        with chain.app_context():
            session = chain.extensions["qms_db"].session_factory()
            checked, problem = trail.verify_chain(session)
            session.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", hook)
    assert problem is None
    assert checked == N_EVENTS
    assert _verify(chain) == (N_EVENTS + 1, None)


def test_trail_cli_offers_no_way_to_change_events() -> None:
    from qms.trail.cli import trail_group

    assert set(trail_group.commands) == {"verify", "anchor"}  # anchor only writes a file
