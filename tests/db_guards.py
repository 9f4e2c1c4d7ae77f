"""Lifting the database's guard triggers for a test that plays an attacker with database access.

The migrations make the database refuse what the services never do (editing a signed version,
deleting a trail event...). A test that proves the verifiers catch such tampering drops the
trigger, writes, and puts the trigger back, all in one transaction (DDL is transactional on
SQLite and PostgreSQL), so the guard is back for the next test on the shared database whatever
happens. The trigger is recreated from the database's own definition of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask

# Every guard of the trail tables (migration trail_append_only).
TRAIL_GUARDS = (
    "trg_trail_events_no_update",
    "trg_trail_events_no_delete",
    "trg_trail_head_no_delete",
    "trg_trail_head_no_rewind",
)


def _definition(connection: sa.Connection, trigger: str) -> tuple[str, str]:
    """(CREATE TRIGGER statement, DROP TRIGGER statement) as the database has the trigger."""
    if connection.dialect.name == "postgresql":
        ddl, table = connection.execute(
            sa.text(
                "SELECT pg_get_triggerdef(t.oid), t.tgrelid::regclass::text FROM pg_trigger t "
                "WHERE t.tgname = :name AND NOT t.tgisinternal"
            ),
            {"name": trigger},
        ).one()
        return ddl, f"DROP TRIGGER {trigger} ON {table}"
    ddl = connection.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": trigger},
    ).scalar_one()
    return ddl, f"DROP TRIGGER {trigger}"


@contextmanager
def guard_lifted(app: Flask, *triggers: str) -> Iterator[sa.Connection]:
    """A connection in a transaction where these triggers are gone; they are back after it."""
    engine = app.extensions["qms_db"].engine
    with engine.begin() as connection:
        definitions = [_definition(connection, trigger) for trigger in triggers]
        for _create, drop in definitions:
            connection.exec_driver_sql(drop)
        yield connection
        for create, _drop in definitions:
            connection.exec_driver_sql(create)
