"""Saved searches: each person's own, by name (qms/search/saved.py).

Revision ID: d4a9e2f7c3b5
Revises: c8d2f4a6b1e3
Create Date: 2026-12-07 20:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4a9e2f7c3b5"
down_revision: str | None = "c8d2f4a6b1e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("any_word", sa.Boolean(), nullable=False),
        sa.Column("history", sa.Boolean(), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=True),
        sa.Column("sort", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_saved_searches_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
    )
    with op.batch_alter_table("saved_searches") as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_searches_owner_id"), ["owner_id"])
        batch_op.create_index(
            "uq_saved_searches_owner_name",
            ["owner_id", "name"],
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("saved_searches") as batch_op:
        batch_op.drop_index("uq_saved_searches_owner_name")
        batch_op.drop_index(batch_op.f("ix_saved_searches_owner_id"))
    op.drop_table("saved_searches")
