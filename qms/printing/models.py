"""Cached PDF renditions of versions and the register of controlled copies."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.core.db import Base, UTCDateTime, utcnow
from qms.documents.models import DocumentVersion
from qms.users.models import User


class PdfRendition(Base):
    """A version's base PDF, rendered once per content hash, template version and page size."""

    __tablename__ = "pdf_renditions"
    __table_args__ = (
        sa.UniqueConstraint("version_id", "content_sha256", "template_version", "page_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"), index=True)
    content_sha256: Mapped[str] = mapped_column(sa.String(64))
    template_version: Mapped[str] = mapped_column(sa.String(40))
    page_size: Mapped[str] = mapped_column(sa.String(10))
    blob_sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"))
    pages: Mapped[int]
    render_ms: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[DocumentVersion] = relationship()


class ControlledCopy(Base):
    """Copia controlada N° X of a version, held by a person or a location, until recalled."""

    __tablename__ = "controlled_copies"
    __table_args__ = (sa.UniqueConstraint("version_id", "copy_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"), index=True)
    copy_number: Mapped[int]
    holder: Mapped[str] = mapped_column(sa.String(200))
    holder_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # Set when the holder hands the copy back (or confirms its destruction) after supersession.
    recall_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    version: Mapped[DocumentVersion] = relationship(lazy="joined")
    holder_user: Mapped[User | None] = relationship(foreign_keys=[holder_user_id])
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
