"""The organisation's identity (name, logo, NIT, paper, time zone) and print orientation.

Revision ID: 0a17e1d2c3b4
Revises: f2c4e6a8b0d1
Create Date: 2026-12-08 00:10:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0a17e1d2c3b4"
down_revision: str | None = "f2c4e6a8b0d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns a submitted version may never change (migration d93e9699d2b9), and now also the
# orientation it prints in: part of what was submitted, like its content.
_PROTECTED = (
    "content",
    "content_sha256",
    "change_summary",
    "number",
    "route",
    "document_id",
    "author_id",
)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nit", sa.String(length=20), nullable=False),
        sa.Column("logo_sha256", sa.String(length=64), nullable=True),
        sa.Column("logo_media_type", sa.String(length=40), nullable=False),
        sa.Column("paper", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_organisation_single_row")),
        sa.ForeignKeyConstraint(
            ["logo_sha256"], ["blobs.sha256"], name=op.f("fk_organisation_logo_sha256_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_organisation_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    # Plain ADD COLUMN, never a batch (copy-and-move) table: that would drop the triggers that
    # keep submitted versions immutable.
    op.add_column(
        "document_types",
        sa.Column("orientation", sa.String(length=10), server_default="portrait", nullable=False),
    )
    op.add_column(
        "document_versions", sa.Column("orientation", sa.String(length=10), nullable=True)
    )
    _version_guard((*_PROTECTED, "orientation"))


def downgrade() -> None:
    _version_guard(_PROTECTED)
    op.drop_column("document_versions", "orientation")
    op.drop_column("document_types", "orientation")
    op.drop_table("organisation")


def _version_guard(columns: Sequence[str]) -> None:
    """Redefine the immutability guard of document_versions over `columns`."""
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in columns)
        op.execute(f"""
            CREATE OR REPLACE FUNCTION qms_version_immutable() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.state <> 'draft' AND ({changed}) THEN
                    RAISE EXCEPTION 'a submitted document version is immutable';
                END IF;
                RETURN NEW;
            END $$""")
        return
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)
    op.execute("DROP TRIGGER IF EXISTS trg_document_versions_immutable")
    op.execute(
        "CREATE TRIGGER trg_document_versions_immutable BEFORE UPDATE ON document_versions "
        f"WHEN OLD.state <> 'draft' AND ({changed}) "
        "BEGIN SELECT RAISE(ABORT, 'a submitted document version is immutable'); END"
    )
