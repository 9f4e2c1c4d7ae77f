"""Who may sign: segregation of duties per document type (on by default), and the approval
stage of the seeded types also open to the new `approver` role (top management).

`document_types.distinct_signers`: whoever reviews a version does not also approve it. Only
seeded types whose approval stage is still the seeded one (quality leads, one signature) gain
the approver role: an administrator's route is kept.

Revision ID: f715ce9a0591
Revises: d66d82462c92
Create Date: 2026-12-07 04:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f715ce9a0591"
down_revision: str | None = "d66d82462c92"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEEDED_KEYS = (
    "characterization",
    "procedure",
    "work_instruction",
    "form",
    "guide",
    "manual",
    "policy",
    "external",
)
_STAGE = {"users": [], "count": 1, "sequential": False}
SEEDED_APPROVAL = {"roles": ["quality_lead"], **_STAGE}
WITH_APPROVER = {"roles": ["quality_lead", "approver"], **_STAGE}

types = sa.table(
    "document_types",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("route", sa.JSON),
)


def _swap_approval(old: dict, new: dict) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(types.c.id, types.c.route).where(types.c.key.in_(SEEDED_KEYS))
    ).all()
    for row in rows:
        route = dict(row.route or {})
        if route.get("approval") != old:
            continue
        route["approval"] = new
        bind.execute(types.update().where(types.c.id == row.id).values(route=route))


def upgrade() -> None:
    op.add_column(
        "document_types",
        sa.Column("distinct_signers", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    _swap_approval(SEEDED_APPROVAL, WITH_APPROVER)


def downgrade() -> None:
    _swap_approval(WITH_APPROVER, SEEDED_APPROVAL)
    with op.batch_alter_table("document_types") as batch_op:
        batch_op.drop_column("distinct_signers")
