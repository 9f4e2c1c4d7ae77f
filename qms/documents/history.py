"""The version-history table of a document: Versión · Vigente desde · Elaboró · Revisó ·
Aprobó · Descripción del cambio · Estado — over the versions the reader may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from qms.documents.in_force import shown_state
from qms.documents.models import Document, DocumentVersion, SignatureMeaning
from qms.documents.paper_signers import paper_signers, signed_on_paper
from qms.documents.queries import visible_versions

M = SignatureMeaning


@dataclass(frozen=True)
class HistoryRow:
    version_id: int
    number: int
    effective_from: date | None
    authored: tuple[str, ...]
    reviewed: tuple[str, ...]
    approved: tuple[str, ...]
    change_summary: str
    state: str
    imported: bool = False  # brought in from Word: the names signed on paper, not here


def _names(version: DocumentVersion, meaning: str) -> tuple[str, ...]:
    """Signers of the last round, as printed when they signed (name — job title); for a
    version imported from Word and never signed here, the names its file gave."""
    if signed_on_paper(version):
        return tuple(p.printed for p in paper_signers(version, meaning))
    return tuple(
        f"{s.printed_name} — {s.job_title}" if s.job_title else s.printed_name
        for s in version.signatures
        if s.meaning == meaning and s.round == version.round
    )


def version_history(session: Session, actor: Any, document: Document) -> list[HistoryRow]:
    """One row per visible version, newest first, discarded drafts left out."""
    rows = [
        HistoryRow(
            version_id=v.id,
            number=v.number,
            effective_from=v.effective_from,
            authored=_names(v, M.AUTHORED),
            reviewed=_names(v, M.REVIEWED),
            approved=_names(v, M.APPROVED),
            change_summary=v.change_summary,
            state=shown_state(v),
            imported=v.imported_at is not None,
        )
        for v in visible_versions(session, actor, document)
        if v.state != "discarded"
    ]
    return sorted(rows, key=lambda row: row.number, reverse=True)
