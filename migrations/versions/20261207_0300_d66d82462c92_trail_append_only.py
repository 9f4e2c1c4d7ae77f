"""The trail is append-only: the database refuses to edit or delete an event, to delete the
chain head, or to move the head back (a rewind would hide the events after it).

The head row itself still moves forward with every event. PostgreSQL reuses qms_refuse() from
the documents migration. (Anchors of the head outside the database: qms/trail/anchors.py.)

Revision ID: d66d82462c92
Revises: fc898772318f
Create Date: 2026-12-07 03:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'd66d82462c92'
down_revision: str | None = 'fc898772318f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_REFUSED = (("trg_trail_events_no_update", "trail_events", "UPDATE"),
            ("trg_trail_events_no_delete", "trail_events", "DELETE"),
            ("trg_trail_head_no_delete", "trail_head", "DELETE"))
_NO_REWIND = "trg_trail_head_no_rewind"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table, operation in _REFUSED:
            op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION qms_refuse()")
        op.execute("""
            CREATE FUNCTION qms_trail_head_no_rewind() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'the trail head never moves back (% to %)', OLD.seq, NEW.seq;
            END $$""")
        op.execute(f"CREATE TRIGGER {_NO_REWIND} BEFORE UPDATE ON trail_head FOR EACH ROW "
                   "WHEN (NEW.seq < OLD.seq OR NEW.id <> OLD.id) "
                   "EXECUTE FUNCTION qms_trail_head_no_rewind()")
        return
    for name, table, operation in _REFUSED:
        op.execute(f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{operation} on {table} is refused'); END")
    op.execute(f"CREATE TRIGGER {_NO_REWIND} BEFORE UPDATE ON trail_head "
               "WHEN NEW.seq < OLD.seq OR NEW.id IS NOT OLD.id "
               "BEGIN SELECT RAISE(ABORT, 'the trail head never moves back'); END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table in ((_NO_REWIND, "trail_head"),
                        *((name, table) for name, table, _operation in _REFUSED)):
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS qms_trail_head_no_rewind()")
