"""Documents, versions, attachments, signatures, change requests; seeded types; db guards.

Revision ID: d93e9699d2b9
Revises: 6b80eba1c497
Create Date: 2026-11-23 12:07:04.362613+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'd93e9699d2b9'
down_revision: str | None = '6b80eba1c497'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('document_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('abbreviation', sa.String(length=10), nullable=False),
    sa.Column('code_pattern', sa.String(length=100), nullable=False),
    sa.Column('default_blocks', sa.JSON(), nullable=False),
    sa.Column('review_interval_months', sa.Integer(), nullable=False),
    sa.Column('route', sa.JSON(), nullable=False),
    sa.Column('is_external', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_types')),
    sa.UniqueConstraint('key', name=op.f('uq_document_types_key'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('type_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('review_interval_months', sa.Integer(), nullable=False),
    sa.Column('retention_years', sa.Integer(), nullable=False),
    sa.Column('external_source', sa.String(length=300), nullable=False),
    sa.Column('external_edition', sa.String(length=100), nullable=False),
    sa.Column('next_verification_on', sa.Date(), nullable=True),
    sa.Column('code_locked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_documents_owner_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['documents.id'], name=op.f('fk_documents_parent_id_documents')),
    sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_documents_process_id_processes')),
    sa.ForeignKeyConstraint(['type_id'], ['document_types.id'], name=op.f('fk_documents_type_id_document_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('code', name=op.f('uq_documents_code'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_process_id'), ['process_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_type_id'), ['type_id'], unique=False)

    op.create_table('change_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('proposed_title', sa.String(length=300), nullable=False),
    sa.Column('proposed_type_id', sa.Integer(), nullable=True),
    sa.Column('proposed_process_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_change_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_change_requests_document_id_documents')),
    sa.ForeignKeyConstraint(['proposed_process_id'], ['processes.id'], name=op.f('fk_change_requests_proposed_process_id_processes')),
    sa.ForeignKeyConstraint(['proposed_type_id'], ['document_types.id'], name=op.f('fk_change_requests_proposed_type_id_document_types')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_change_requests_requested_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change_requests'))
    )
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_requests_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_requests_state'), ['state'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('change_summary', sa.Text(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('route', sa.JSON(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('change_request_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('obsolete_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_document_versions_author_id_users')),
    sa.ForeignKeyConstraint(['change_request_id'], ['change_requests.id'], name=op.f('fk_document_versions_change_request_id_change_requests')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id_number'))
    )
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_versions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_versions_state'), ['state'], unique=False)
        batch_op.create_index('uq_document_versions_one_effective', ['document_id'], unique=True, sqlite_where=sa.text("state = 'effective'"), postgresql_where=sa.text("state = 'effective'"))
        batch_op.create_index('uq_document_versions_one_open', ['document_id'], unique=True, sqlite_where=sa.text("state IN ('draft','in_review','in_approval','approved')"), postgresql_where=sa.text("state IN ('draft','in_review','in_approval','approved')"))

    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=127), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_attachments_added_by_id_users')),
    sa.ForeignKeyConstraint(['blob_sha256'], ['blobs.sha256'], name=op.f('fk_attachments_blob_sha256_blobs')),
    sa.ForeignKeyConstraint(['version_id'], ['document_versions.id'], name=op.f('fk_attachments_version_id_document_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_blob_sha256'), ['blob_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_version_id'), ['version_id'], unique=False)

    op.create_table('signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('printed_name', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('meaning', sa.String(length=20), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signatures_user_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['document_versions.id'], name=op.f('fk_signatures_version_id_document_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signatures'))
    )
    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signatures_version_id'), ['version_id'], unique=False)
        batch_op.create_index('uq_signatures_once_per_stage', ['version_id', 'round', 'user_id', 'meaning'], unique=True, sqlite_where=sa.text("meaning IN ('reviewed','approved')"), postgresql_where=sa.text("meaning IN ('reviewed','approved')"))


    _seed_document_types()
    _create_guards()


def downgrade() -> None:
    _drop_guards()

    with op.batch_alter_table('signatures', schema=None) as batch_op:
        batch_op.drop_index('uq_signatures_once_per_stage', sqlite_where=sa.text("meaning IN ('reviewed','approved')"), postgresql_where=sa.text("meaning IN ('reviewed','approved')"))
        batch_op.drop_index(batch_op.f('ix_signatures_version_id'))

    op.drop_table('signatures')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_version_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_blob_sha256'))

    op.drop_table('attachments')
    with op.batch_alter_table('document_versions', schema=None) as batch_op:
        batch_op.drop_index('uq_document_versions_one_open', sqlite_where=sa.text("state IN ('draft','in_review','in_approval','approved')"), postgresql_where=sa.text("state IN ('draft','in_review','in_approval','approved')"))
        batch_op.drop_index('uq_document_versions_one_effective', sqlite_where=sa.text("state = 'effective'"), postgresql_where=sa.text("state = 'effective'"))
        batch_op.drop_index(batch_op.f('ix_document_versions_state'))
        batch_op.drop_index(batch_op.f('ix_document_versions_document_id'))

    op.drop_table('document_versions')
    with op.batch_alter_table('change_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_requests_state'))
        batch_op.drop_index(batch_op.f('ix_change_requests_document_id'))

    op.drop_table('change_requests')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_type_id'))
        batch_op.drop_index(batch_op.f('ix_documents_process_id'))
        batch_op.drop_index(batch_op.f('ix_documents_owner_id'))

    op.drop_table('documents')
    op.drop_table('document_types')



DEFAULT_ROUTE = {
    "review": {"roles": ["quality_lead", "process_owner"], "users": [], "count": 1,
               "sequential": False},
    "approval": {"roles": ["quality_lead"], "users": [], "count": 1, "sequential": False},
}
SEEDED_TYPES = [
    ("characterization", "Caracterización", "CR", "{process}-{type}-{seq:02}", ["text", "table"], 24, False),
    ("procedure", "Procedimiento", "PR", "{process}-{type}-{seq:02}", ["text", "table"], 24, False),
    ("work_instruction", "Instructivo", "IN", "{process}-{type}-{seq:02}", ["text"], 24, False),
    ("form", "Formato", "FO", "{parent}-{type}-{seq:02}", ["table"], 24, False),
    ("guide", "Guía", "GU", "{process}-{type}-{seq:02}", ["text"], 24, False),
    ("manual", "Manual", "MA", "{process}-{type}-{seq:02}", ["text"], 36, False),
    ("policy", "Política", "PO", "{process}-{type}-{seq:02}", ["text"], 12, False),
    ("external", "Documento externo", "DE", "EXT-{process}-{seq:03}", ["text"], 12, True),
]


def _seed_document_types() -> None:
    table = sa.table(
        "document_types",
        sa.column("key", sa.String), sa.column("name", sa.String),
        sa.column("abbreviation", sa.String), sa.column("code_pattern", sa.String),
        sa.column("default_blocks", sa.JSON), sa.column("review_interval_months", sa.Integer),
        sa.column("route", sa.JSON), sa.column("is_external", sa.Boolean),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(table, [
        {"key": key, "name": name, "abbreviation": abbr, "code_pattern": pattern,
         "default_blocks": blocks, "review_interval_months": months, "route": DEFAULT_ROUTE,
         "is_external": external, "active": True}
        for key, name, abbr, pattern, blocks, months, external in SEEDED_TYPES
    ])


# Records are evidence: the database itself refuses what the services never do, so a bug or a
# hand-written UPDATE cannot rewrite a submitted version, a signature, or delete a record.
_PROTECTED_VERSION_COLUMNS = ("content", "content_sha256", "change_summary", "number", "route",
                              "document_id", "author_id")
_NO_DELETE = ("documents", "document_versions", "signatures", "change_requests")


def _create_guards() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _create_guards_postgresql()
    else:
        _create_guards_sqlite()


def _create_guards_sqlite() -> None:
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _PROTECTED_VERSION_COLUMNS)
    op.execute(
        "CREATE TRIGGER trg_document_versions_immutable BEFORE UPDATE ON document_versions "
        f"WHEN OLD.state <> 'draft' AND ({changed}) "
        "BEGIN SELECT RAISE(ABORT, 'a submitted document version is immutable'); END"
    )
    op.execute(
        "CREATE TRIGGER trg_signatures_no_update BEFORE UPDATE ON signatures "
        "BEGIN SELECT RAISE(ABORT, 'signatures are never edited'); END"
    )
    op.execute(
        "CREATE TRIGGER trg_documents_code_locked BEFORE UPDATE OF code ON documents "
        "WHEN OLD.code_locked AND NEW.code IS NOT OLD.code "
        "BEGIN SELECT RAISE(ABORT, 'the code of an approved document never changes'); END"
    )
    for action in ("INSERT", "DELETE"):
        row = "NEW" if action == "INSERT" else "OLD"
        op.execute(
            f"CREATE TRIGGER trg_attachments_draft_only_{action.lower()} BEFORE {action} "
            "ON attachments WHEN (SELECT state FROM document_versions "
            f"WHERE id = {row}.version_id) <> 'draft' "
            "BEGIN SELECT RAISE(ABORT, 'attachments change only on drafts'); END"
        )
    for table in _NO_DELETE:
        op.execute(
            f"CREATE TRIGGER trg_{table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} are never deleted'); END"
        )


def _create_guards_postgresql() -> None:
    changed = " OR ".join(
        f"NEW.{c}::text IS DISTINCT FROM OLD.{c}::text" for c in _PROTECTED_VERSION_COLUMNS
    )
    op.execute(f"""
        CREATE FUNCTION qms_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.state <> 'draft' AND ({changed}) THEN
                RAISE EXCEPTION 'a submitted document version is immutable';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute("""
        CREATE FUNCTION qms_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% on % is refused: records are evidence', TG_OP, TG_TABLE_NAME;
        END $$""")
    op.execute("""
        CREATE FUNCTION qms_code_locked() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.code_locked AND NEW.code IS DISTINCT FROM OLD.code THEN
                RAISE EXCEPTION 'the code of an approved document never changes';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute("""
        CREATE FUNCTION qms_attachments_draft_only() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            target integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.version_id
                                   ELSE NEW.version_id END;
        BEGIN
            IF (SELECT state FROM document_versions WHERE id = target) <> 'draft' THEN
                RAISE EXCEPTION 'attachments change only on drafts';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$""")
    op.execute("CREATE TRIGGER trg_document_versions_immutable BEFORE UPDATE ON document_versions "
               "FOR EACH ROW EXECUTE FUNCTION qms_version_immutable()")
    op.execute("CREATE TRIGGER trg_signatures_no_update BEFORE UPDATE ON signatures "
               "FOR EACH ROW EXECUTE FUNCTION qms_refuse()")
    op.execute("CREATE TRIGGER trg_documents_code_locked BEFORE UPDATE ON documents "
               "FOR EACH ROW EXECUTE FUNCTION qms_code_locked()")
    op.execute("CREATE TRIGGER trg_attachments_draft_only BEFORE INSERT OR DELETE ON attachments "
               "FOR EACH ROW EXECUTE FUNCTION qms_attachments_draft_only()")
    for table in _NO_DELETE:
        op.execute(f"CREATE TRIGGER trg_{table}_no_delete BEFORE DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION qms_refuse()")


def _drop_guards() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    triggers = [
        ("trg_document_versions_immutable", "document_versions"),
        ("trg_signatures_no_update", "signatures"),
        ("trg_documents_code_locked", "documents"),
        *[(f"trg_{t}_no_delete", t) for t in _NO_DELETE],
    ]
    if postgresql:
        triggers.append(("trg_attachments_draft_only", "attachments"))
    else:
        triggers += [("trg_attachments_draft_only_insert", "attachments"),
                     ("trg_attachments_draft_only_delete", "attachments")]
    for name, table in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for function in ("qms_version_immutable", "qms_refuse", "qms_code_locked",
                         "qms_attachments_draft_only"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
