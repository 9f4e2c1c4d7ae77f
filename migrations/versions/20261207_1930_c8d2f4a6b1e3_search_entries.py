"""The PostgreSQL search backend's entries (qms/search/backends/postgres.py).

On PostgreSQL: tsvector columns, a GIN index, rows kept whole in the table (toast_tuple_target)
so that a search reads no TOAST, and the pg_trgm extension for the code fragment index (and
unaccent, for ad-hoc folding in SQL). On other databases the same table with plain text columns
and plain indexes, so that the models match the schema everywhere.

Revision ID: c8d2f4a6b1e3
Revises: b3e5a7c91d24
Create Date: 2026-12-07 19:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c8d2f4a6b1e3"
down_revision: str | None = "b3e5a7c91d24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS_VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.create_table(
        "search_entries",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("shown_code", sa.Text(), nullable=False),
        sa.Column("code_folded", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("process", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("terms", TS_VECTOR, nullable=False),
        sa.Column("head", TS_VECTOR, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_search_entries")),
    )
    if postgres:
        # A row up to a page stays in the table: reading `terms` for a phrase costs no TOAST.
        op.execute("ALTER TABLE search_entries SET (toast_tuple_target = 8160)")
    with op.batch_alter_table("search_entries") as batch_op:
        batch_op.create_index("ix_search_entries_terms", ["terms"], postgresql_using="gin")
        batch_op.create_index("ix_search_entries_head", ["head"], postgresql_using="gin")
        batch_op.create_index(
            "ix_search_entries_code_trgm",
            ["code_folded"],
            postgresql_using="gin",
            postgresql_ops={"code_folded": "gin_trgm_ops"},
        )


def downgrade() -> None:
    with op.batch_alter_table("search_entries") as batch_op:
        batch_op.drop_index("ix_search_entries_code_trgm")
        batch_op.drop_index("ix_search_entries_head")
        batch_op.drop_index("ix_search_entries_terms")
    op.drop_table("search_entries")
    # The extensions stay: other objects may use them, and they hold no data.
