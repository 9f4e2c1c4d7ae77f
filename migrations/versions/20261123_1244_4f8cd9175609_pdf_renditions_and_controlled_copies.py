"""PDF renditions of versions and the controlled-copy register.

Revision ID: 4f8cd9175609
Revises: d93e9699d2b9
Create Date: 2026-11-23 12:44:15.385411+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '4f8cd9175609'
down_revision: str | None = 'd93e9699d2b9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('controlled_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('copy_number', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('holder_user_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('recall_acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recall_acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['holder_user_id'], ['users.id'], name=op.f('fk_controlled_copies_holder_user_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_controlled_copies_issued_by_id_users')),
    sa.ForeignKeyConstraint(['recall_acknowledged_by_id'], ['users.id'], name=op.f('fk_controlled_copies_recall_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['document_versions.id'], name=op.f('fk_controlled_copies_version_id_document_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_controlled_copies')),
    sa.UniqueConstraint('version_id', 'copy_number', name=op.f('uq_controlled_copies_version_id_copy_number'))
    )
    with op.batch_alter_table('controlled_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_controlled_copies_version_id'), ['version_id'], unique=False)

    op.create_table('pdf_renditions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('template_version', sa.String(length=40), nullable=False),
    sa.Column('page_size', sa.String(length=10), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('render_ms', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['blob_sha256'], ['blobs.sha256'], name=op.f('fk_pdf_renditions_blob_sha256_blobs')),
    sa.ForeignKeyConstraint(['version_id'], ['document_versions.id'], name=op.f('fk_pdf_renditions_version_id_document_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pdf_renditions')),
    sa.UniqueConstraint('version_id', 'content_sha256', 'template_version', 'page_size', name=op.f('uq_pdf_renditions_version_id_content_sha256_template_version_page_size'))
    )
    with op.batch_alter_table('pdf_renditions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pdf_renditions_version_id'), ['version_id'], unique=False)


    # The copy register is evidence of who held what: rows are never deleted.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER trg_controlled_copies_no_delete BEFORE DELETE ON "
                   "controlled_copies FOR EACH ROW EXECUTE FUNCTION qms_refuse()")
    else:
        op.execute("CREATE TRIGGER trg_controlled_copies_no_delete BEFORE DELETE ON "
                   "controlled_copies BEGIN SELECT RAISE(ABORT, "
                   "'controlled_copies are never deleted'); END")


def downgrade() -> None:
    suffix = " ON controlled_copies" if op.get_bind().dialect.name == "postgresql" else ""
    op.execute("DROP TRIGGER IF EXISTS trg_controlled_copies_no_delete" + suffix)

    with op.batch_alter_table('pdf_renditions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pdf_renditions_version_id'))

    op.drop_table('pdf_renditions')
    with op.batch_alter_table('controlled_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_controlled_copies_version_id'))

    op.drop_table('controlled_copies')

