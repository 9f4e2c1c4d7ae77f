"""The PostgreSQL search backend's table: one row per index entry (`qms.search.backends.postgres`).

The table exists on every database so that models and migrations agree everywhere; only the
PostgreSQL backend writes it. Its full-text columns are `tsvector` on PostgreSQL and plain text
elsewhere (a `with_variant` type: the migration creates the same), and its GIN indexes are plain
indexes of empty columns on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base

# `tsvector` on PostgreSQL; text on any other database, where nothing writes it.
TS_VECTOR = sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql")


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (
        sa.Index("ix_search_entries_terms", "terms", postgresql_using="gin"),
        sa.Index("ix_search_entries_head", "head", postgresql_using="gin"),
        # Codes by any fragment (`ac-cr`), through pg_trgm.
        sa.Index(
            "ix_search_entries_code_trgm",
            "code_folded",
            postgresql_using="gin",
            postgresql_ops={"code_folded": "gin_trgm_ops"},
        ),
    )

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # kind:id
    kind: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int] = mapped_column(sa.Integer)
    document_id: Mapped[int] = mapped_column(sa.Integer)  # versions: their document; else 0
    number: Mapped[int] = mapped_column(sa.Integer)
    # Shown as stored: the code as written, the title, process and content, the state words.
    shown_code: Mapped[str] = mapped_column(sa.Text)
    code_folded: Mapped[str] = mapped_column(sa.Text)  # lower case, no accents
    title: Mapped[str] = mapped_column(sa.Text)
    process: Mapped[str] = mapped_column(sa.Text)
    content: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[str] = mapped_column(sa.Text)
    # Everything searched: title (weight A), process (B), content (C) with positions, and every
    # other field's terms as `field:value` lexemes (`kind:version`, `code:csc-ac`,
    # `people:luisa`).
    terms: Mapped[str] = mapped_column(TS_VECTOR)
    # What ranks a match: the title (A) and the code's prefixes (D), small.
    head: Mapped[str] = mapped_column(TS_VECTOR)
    digest: Mapped[str] = mapped_column(sa.String(64))
