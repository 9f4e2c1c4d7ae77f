"""Seeded document types start with the structured blocks their examples use.

A characterisation gets objective/scope/leader text, SIPOC by phase, resources, control plan,
indicators, requirements and related documents; a procedure its steps and related documents;
a form its fields. Only types still holding the seeded defaults change: an administrator's
choice is kept.

Revision ID: a7c3e1f05b2d
Revises: 4f8cd9175609
Create Date: 2026-11-23 16:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e1f05b2d"
down_revision: str | None = "4f8cd9175609"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# key: (seeded before, structured now)
CHANGES = {
    "characterization": (
        ["text", "table"],
        ["text", "sipoc", "resources", "controls", "indicators", "requirements", "related"],
    ),
    "procedure": (["text", "table"], ["text", "steps", "related"]),
    "form": (["table"], ["text", "form_fields"]),
}

types = sa.table(
    "document_types",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("default_blocks", sa.JSON),
)


def _swap(old_index: int, new_index: int) -> None:
    bind = op.get_bind()
    for key, pair in CHANGES.items():
        row = bind.execute(
            sa.select(types.c.id, types.c.default_blocks).where(types.c.key == key)
        ).first()
        if row is None or list(row.default_blocks or []) != pair[old_index]:
            continue
        bind.execute(
            types.update().where(types.c.id == row.id).values(default_blocks=pair[new_index])
        )


def upgrade() -> None:
    _swap(0, 1)


def downgrade() -> None:
    _swap(1, 0)
