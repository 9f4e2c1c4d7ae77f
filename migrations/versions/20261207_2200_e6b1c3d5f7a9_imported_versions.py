"""Versions imported from Word: when, and the names that signed them on paper.

Revision ID: e6b1c3d5f7a9
Revises: d4a9e2f7c3b5
Create Date: 2026-12-07 22:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e6b1c3d5f7a9"
down_revision: str | None = "d4a9e2f7c3b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD COLUMN, never a batch (copy-and-move) table on SQLite: that would drop the
# triggers that keep submitted versions immutable.
def upgrade() -> None:
    op.add_column(
        "document_versions", sa.Column("imported_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "document_versions",
        sa.Column("imported_signers", sa.JSON(), server_default="[]", nullable=False),
    )


def downgrade() -> None:
    op.drop_column("document_versions", "imported_signers")
    op.drop_column("document_versions", "imported_at")
