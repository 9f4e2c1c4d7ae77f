"""A process's sheet: what the process holds today, each list through its domain's own
visibility rule, so the sheet never shows what the reader could not open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.audits.models import Audit, AuditState, audit_processes
from qms.audits.services import audit_visibility
from qms.capa.models import NcState, Nonconformity
from qms.capa.pqrs import pqrs_visibility
from qms.capa.pqrs_models import PqrsRequest, PqrsState
from qms.capa.services import nonconformity_visibility
from qms.documents.in_force import in_force_clause
from qms.documents.models import Document, DocumentVersion
from qms.documents.queries import version_visibility
from qms.processes.models import Process

# Audits are many a year over a process's life: the sheet shows the latest, the list the rest.
MAX_AUDITS = 10
INDICATOR_KIND = "indicators"


@dataclass(frozen=True)
class Indicator:
    """One row of an indicators block of a document in force, with where it is written."""

    name: str
    formula: str
    target: str
    frequency: str
    responsible: str
    document: Document
    version: DocumentVersion


@dataclass
class ProcessSheet:
    documents: list[tuple[Document, DocumentVersion]] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    nonconformities: list[Nonconformity] = field(default_factory=list)
    pqrs: list[PqrsRequest] = field(default_factory=list)
    audits: list[Audit] = field(default_factory=list)
    more_audits: bool = False


def documents_in_force(
    session: Session, actor: Any, process_id: int
) -> list[tuple[Document, DocumentVersion]]:
    stmt = (
        sa.select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        .where(
            Document.process_id == process_id,
            in_force_clause(),
            version_visibility(actor, session),
        )
        .order_by(Document.code)
    )
    return [(document, version) for document, version in session.execute(stmt)]


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def indicators_of(documents: list[tuple[Document, DocumentVersion]]) -> list[Indicator]:
    """Indicators live in the characterisations: the rows of their indicators blocks."""
    found = []
    for document, version in documents:
        for block in version.content or []:
            if not isinstance(block, dict) or block.get("kind") != INDICATOR_KIND:
                continue
            for row in block.get("rows") or []:
                if not isinstance(row, dict) or not _text(row.get("name")):
                    continue
                found.append(
                    Indicator(
                        name=_text(row.get("name")),
                        formula=_text(row.get("formula")),
                        target=_text(row.get("target")),
                        frequency=_text(row.get("frequency")),
                        responsible=_text(row.get("responsible")),
                        document=document,
                        version=version,
                    )
                )
    return found


def open_nonconformities(session: Session, actor: Any, process_id: int) -> list[Nonconformity]:
    stmt = (
        sa.select(Nonconformity)
        .where(
            Nonconformity.process_id == process_id,
            Nonconformity.state.not_in([NcState.CLOSED, NcState.DISCARDED]),
            nonconformity_visibility(actor),
        )
        .order_by(Nonconformity.detected_on, Nonconformity.id)
    )
    return list(session.scalars(stmt))


def open_pqrs(session: Session, actor: Any, process_id: int) -> list[PqrsRequest]:
    """Requests routed to the process and not closed, the soonest due first."""
    stmt = (
        sa.select(PqrsRequest)
        .where(
            PqrsRequest.process_id == process_id,
            PqrsRequest.state != PqrsState.CLOSED,
            pqrs_visibility(actor),
        )
        .order_by(sa.func.coalesce(PqrsRequest.extended_due_on, PqrsRequest.due_on))
    )
    return list(session.scalars(stmt))


def audits_of(session: Session, actor: Any, process_id: int) -> tuple[list[Audit], bool]:
    """The latest audits that cover the process (not cancelled), newest first; and whether
    there are more."""
    covering = sa.select(audit_processes.c.audit_id).where(
        audit_processes.c.process_id == process_id
    )
    stmt = (
        sa.select(Audit)
        .where(
            Audit.id.in_(covering),
            Audit.state != AuditState.CANCELLED,
            audit_visibility(actor),
        )
        .order_by(Audit.start_on.desc(), Audit.id.desc())
        .limit(MAX_AUDITS + 1)
    )
    audits = list(session.scalars(stmt))
    return audits[:MAX_AUDITS], len(audits) > MAX_AUDITS


def process_sheet(session: Session, actor: Any, process: Process) -> ProcessSheet:
    documents = documents_in_force(session, actor, process.id)
    audits, more = audits_of(session, actor, process.id)
    return ProcessSheet(
        documents=documents,
        indicators=indicators_of(documents),
        nonconformities=open_nonconformities(session, actor, process.id),
        pqrs=open_pqrs(session, actor, process.id),
        audits=audits,
        more_audits=more,
    )
