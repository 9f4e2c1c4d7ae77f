"""One row per stored blob: what the store holds and what fsck checks against."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from qms.core.db import Base, UTCDateTime, utcnow

DEFAULT_MEDIA_TYPE = "application/octet-stream"


class Blob(Base):
    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    media_type: Mapped[str] = mapped_column(sa.String(127), default=DEFAULT_MEDIA_TYPE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttachedFile:
    """The columns every file attached to something shares (a version's attachment, a
    nonconformity's or an audit answer's evidence): the blob it points to and how it is shown.
    The file name is only shown to people, never part of a filesystem path."""

    blob_sha256: Mapped[str] = mapped_column(sa.ForeignKey("blobs.sha256"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    media_type: Mapped[str] = mapped_column(sa.String(127))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    added_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
