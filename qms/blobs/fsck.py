"""Compare the `blobs` table with the blob store: missing, altered and unreferenced blobs."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.blobs.models import Blob
from qms.core.storage import BlobStore


@dataclass
class FsckReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # a row, no file
    altered: list[str] = field(default_factory=list)  # the file no longer hashes to its name
    unreferenced: list[str] = field(default_factory=list)  # a file, no row

    @property
    def ok(self) -> bool:
        """Nothing recorded is lost or damaged (unreferenced files alone are only a warning)."""
        return not (self.missing or self.altered)


def fsck(session: Session, store: BlobStore, batch_size: int = 1000) -> FsckReport:
    """Check every recorded blob's file, then list the files nothing records."""
    report = FsckReport()
    recorded: set[str] = set()
    result = session.scalars(
        sa.select(Blob.sha256).order_by(Blob.sha256).execution_options(yield_per=batch_size)
    )
    try:
        for sha256 in result:
            recorded.add(sha256)
            report.checked += 1
            try:
                intact = store.verify(sha256)
            except (FileNotFoundError, KeyError):
                report.missing.append(sha256)
                continue
            if not intact:
                report.altered.append(sha256)
    finally:
        result.close()
    # Read after the rows: a blob stored meanwhile has its file before its row, so at worst
    # it shows up as unreferenced, never as missing.
    report.unreferenced = sorted(a for a in store.addresses() if a not in recorded)
    return report
