"""`qms signatures verify`: every signed version still holds the content its signatures name.

A submitted version is frozen by the services and by database triggers; this check is for the
case where both were bypassed (someone with database or disk access). It recomputes each
version's content hash from its blocks and attachment hashes, compares it with the stored hash
and with the hash each signature of the current round signed, and re-reads every attachment
blob from the store. A version marked as imported (signed on paper, not here) must be the one
its document's `document:import` trail event names: marking a version imported behind the
services' back does not excuse its missing signatures.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.documents.blocks import content_hash
from qms.documents.models import (
    Attachment,
    Document,
    DocumentVersion,
    Signature,
    SignatureMeaning,
    VersionState,
)
from qms.trail.models import TrailEvent

S = VersionState
M = SignatureMeaning
UNSIGNED_STATES = (S.DRAFT, S.DISCARDED)
# States a version reaches only through the approval signature.
APPROVED_STATES = (S.APPROVED, S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE)
BATCH = 500


@dataclass(frozen=True)
class BrokenVersion:
    version_id: int
    code: str
    number: int
    reasons: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.code} v{self.number} (version id {self.version_id}): " + "; ".join(
            self.reasons
        )


@dataclass
class VerifyReport:
    versions: int = 0
    signatures: int = 0
    blobs: int = 0
    broken: list[BrokenVersion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


class _BlobChecker:
    """Each blob is read once, however many versions attach it (drafts copy attachments)."""

    def __init__(self, store: BlobStore) -> None:
        self.store = store
        self.results: dict[str, str | None] = {}

    def problem(self, sha256: str) -> str | None:
        if sha256 not in self.results:
            self.results[sha256] = self._check(sha256)
        return self.results[sha256]

    def _check(self, sha256: str) -> str | None:
        try:
            intact = self.store.verify(sha256)
        except (FileNotFoundError, KeyError):
            return "missing from the blob store"
        except ValueError:
            return "is not a valid blob address"
        return None if intact else "altered in the blob store"


def verify_signatures(session: Session, store: BlobStore) -> VerifyReport:
    """Check every submitted version; the report names each broken one and why."""
    report = VerifyReport()
    blobs = _BlobChecker(store)
    last_id = 0
    while True:
        # Keyset batches: memory stays flat however many versions the database holds.
        rows = session.execute(
            sa.select(
                DocumentVersion.id,
                DocumentVersion.document_id,
                Document.code,
                DocumentVersion.number,
                DocumentVersion.state,
                DocumentVersion.content,
                DocumentVersion.content_sha256,
                DocumentVersion.round,
                DocumentVersion.imported_at,
            )
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(DocumentVersion.id > last_id, DocumentVersion.state.not_in(UNSIGNED_STATES))
            .order_by(DocumentVersion.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        last_id = rows[-1].id
        ids = [row.id for row in rows]
        attachments = _by_version(
            session.execute(
                sa.select(Attachment.version_id, Attachment.blob_sha256)
                .where(Attachment.version_id.in_(ids))
                .order_by(Attachment.id)
            )
        )
        signatures = _by_version(
            session.execute(
                sa.select(
                    Signature.version_id,
                    Signature.id,
                    Signature.meaning,
                    Signature.round,
                    Signature.content_sha256,
                    Signature.printed_name,
                )
                .where(Signature.version_id.in_(ids))
                .order_by(Signature.id)
            )
        )
        imported = _imported_in_trail(
            session, {row.document_id for row in rows if row.imported_at is not None}
        )
        for row in rows:
            report.versions += 1
            hashes = [a.blob_sha256 for a in attachments.get(row.id, [])]
            current = [s for s in signatures.get(row.id, []) if s.round == row.round]
            report.signatures += len(current)
            report.blobs += len(hashes)
            reasons = _problems(row, hashes, current, blobs, imported)
            if reasons:
                report.broken.append(BrokenVersion(row.id, row.code, row.number, tuple(reasons)))
    return report


def _imported_in_trail(session: Session, document_ids: set[int]) -> dict[tuple[int, int], str]:
    """(document id, version number) → the content hash the import recorded ("" for a row of
    the file's history table), from the documents' `document:import` events."""
    if not document_ids:
        return {}
    events = session.execute(
        sa.select(TrailEvent.object_id, TrailEvent.after).where(
            TrailEvent.action == TrailAction.DOCUMENT_IMPORT,
            TrailEvent.object_type == "document",
            TrailEvent.object_id.in_([str(i) for i in document_ids]),
        )
    )
    found: dict[tuple[int, int], str] = {}
    for object_id, after in events:
        try:
            values = json.loads(after or "{}")
            document_id = int(object_id)
            found[(document_id, int(values["number"]))] = str(values.get("content_sha256", ""))
            for number in values.get("history", []):
                found[(document_id, int(number))] = ""
        except (ValueError, TypeError, KeyError):
            continue  # not an event this check can read: vouches for nothing
    return found


def _by_version(rows: Iterable[sa.Row]) -> dict[int, list[sa.Row]]:
    grouped: dict[int, list[sa.Row]] = defaultdict(list)
    for row in rows:
        grouped[row.version_id].append(row)
    return grouped


def _problems(
    row: sa.Row,
    hashes: list[str],
    current: list[sa.Row],
    blobs: _BlobChecker,
    imported: dict[tuple[int, int], str],
) -> list[str]:
    reasons = []
    try:
        recomputed = content_hash(row.content or [], hashes)
    except (TypeError, ValueError) as exc:  # content edited into something unhashable
        recomputed = f"unreadable content ({exc})"
    if recomputed != row.content_sha256:
        reasons.append("content does not match its recorded hash")
    for signature in current:
        if signature.content_sha256 != row.content_sha256 or signature.content_sha256 != recomputed:
            reasons.append(
                f"signature #{signature.id} ({signature.meaning}, {signature.printed_name}) "
                "signed a different content"
            )
    meanings = {s.meaning for s in current}
    # The signature is written in the same transaction as the state: its absence means rows
    # were removed or states rewritten behind the services' back. An imported version was
    # signed on paper (its names are kept with it), never here.
    signed_on_paper = row.imported_at is not None and row.round == 0
    if signed_on_paper:
        recorded = imported.get((row.document_id, row.number))
        if recorded is None:
            reasons.append("marked as imported, but no import in the trail names it")
            signed_on_paper = False
        elif recorded and recorded != row.content_sha256:
            reasons.append("content differs from what its import recorded")
    if not signed_on_paper and M.AUTHORED not in meanings:
        reasons.append("no authored signature for the current submission")
    if not signed_on_paper and row.state in APPROVED_STATES and M.APPROVED not in meanings:
        reasons.append(f"state {row.state} without an approval signature")
    for sha256 in sorted(set(hashes)):
        problem = blobs.problem(sha256)
        if problem:
            reasons.append(f"attachment {sha256[:12]}… {problem}")
    return reasons
