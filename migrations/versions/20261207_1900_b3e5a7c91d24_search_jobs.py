"""Search index jobs: written with each change in its transaction, applied after the commit,
retried when they fail (qms/search/jobs.py).

Revision ID: b3e5a7c91d24
Revises: f715ce9a0591
Create Date: 2026-12-07 19:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b3e5a7c91d24"
down_revision: str | None = "f715ce9a0591"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_jobs")),
    )
    with op.batch_alter_table("search_jobs") as batch_op:
        batch_op.create_index("ix_search_jobs_pending", ["done_at", "next_attempt_at"])


def downgrade() -> None:
    with op.batch_alter_table("search_jobs") as batch_op:
        batch_op.drop_index("ix_search_jobs_pending")
    op.drop_table("search_jobs")
