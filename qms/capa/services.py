"""Reporting a nonconformity and deciding on it: report, read, accept, discard, contain."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.capa.lifecycle import WORKFLOW, NcAction
from qms.capa.models import CapaAction, NcSource, Nonconformity, Severity
from qms.core.db import utcnow
from qms.core.errors import NotFound, ValidationFailed
from qms.core.localtime import local_today
from qms.core.permissions import Permission, can, can_own_variant, require
from qms.core.sequence import add_numbered
from qms.core.trail_actions import TrailAction
from qms.documents import iso9001
from qms.documents.models import Document, DocumentVersion
from qms.processes.models import Process
from qms.trail import services as trail

P = Permission


def required_text(value: str | None, field: str, message: Any, limit: int = 20_000) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(str(message), field=field)
    if len(text) > limit:
        raise ValidationFailed(str(_l("This text is too long.")), field=field)
    return text


def next_code(session: Session, year: int) -> tuple[int, str]:
    """The next NC-YYYY-NNNN; the unique (year, seq) makes a racing twin fail, never repeat."""
    last = session.scalar(
        sa.select(sa.func.max(Nonconformity.seq)).where(Nonconformity.year == year)
    )
    seq = (last or 0) + 1
    return seq, f"NC-{year}-{seq:04d}"


def nonconformity_visibility(actor: Any) -> sa.ColumnElement[bool]:
    """SQL condition on Nonconformity for what `actor` may see: the one rule, for the register,
    the lists and the single load. Everything for readers of all; otherwise what one reported,
    what one owns an action of (any round), and, for a process leader, their processes'."""
    if actor is None:
        return sa.false()
    if can(actor, P.NONCONFORMITY_READ_ALL):
        return sa.true()
    owns_action = sa.select(CapaAction.nonconformity_id).where(CapaAction.owner_id == actor.id)
    seen = [Nonconformity.reported_by_id == actor.id, Nonconformity.id.in_(owns_action)]
    if can_own_variant(actor, P.NONCONFORMITY_READ_ALL):
        seen.append(Nonconformity.owned_by_clause(actor.id))
    return sa.or_(*seen)


def get_nonconformity(session: Session, actor: Any, nc_id: int) -> Nonconformity:
    """The nonconformity when the actor may see it; NotFound otherwise (hidden means 404)."""
    nc = session.scalar(
        sa.select(Nonconformity).where(Nonconformity.id == nc_id, nonconformity_visibility(actor))
    )
    if nc is None:
        raise NotFound(str(_l("Nonconformity not found.")))
    return nc


def report_nonconformity(
    session: Session,
    actor: Any,
    *,
    source: str,
    process_id: int,
    title: str,
    description: str,
    detected_on: date,
    detected_by: str = "",
    severity: str = Severity.MINOR,
    document_id: int | None = None,
    version_id: int | None = None,
    iso_clause: str = "",
) -> Nonconformity:
    """Anyone signed in may report one; it waits for acceptance by the quality lead."""
    require(actor, P.NONCONFORMITY_REPORT)
    if source not in set(NcSource):
        raise ValidationFailed(str(_l("Choose where it was found.")), field="source")
    if severity not in set(Severity):
        raise ValidationFailed(str(_l("Choose the severity.")), field="severity")
    process = session.get(Process, process_id)
    if process is None or not process.active:
        raise ValidationFailed(str(_l("Choose an active process.")), field="process_id")
    if detected_on > local_today():
        raise ValidationFailed(
            str(_l("The date detected cannot be in the future.")), field="detected_on"
        )
    clause = (iso_clause or "").strip()
    if clause and not iso9001.is_clause(clause):
        raise ValidationFailed(
            str(_l("%(number)s is not a clause of ISO 9001:2015.", number=clause)),
            field="iso_clause",
        )
    if version_id is not None:
        version = session.get(DocumentVersion, version_id)
        if version is None:
            raise ValidationFailed(str(_l("Choose an existing version.")), field="version_id")
        document_id = version.document_id
    if document_id is not None and session.get(Document, document_id) is None:
        raise ValidationFailed(str(_l("Choose an existing document.")), field="document_id")
    year = detected_on.year
    nc = Nonconformity(
        year=year,
        source=source,
        severity=severity,
        process_id=process.id,
        title=required_text(title, "title", _l("Give it a short title."), 200),
        description=required_text(description, "description", _l("Describe what was found.")),
        detected_on=detected_on,
        detected_by=(detected_by or "").strip()[:200],
        document_id=document_id,
        version_id=version_id,
        iso_clause=clause,
        reported_by_id=actor.id,
    )

    def numbered() -> Nonconformity:
        nc.seq, nc.code = next_code(session, year)
        return nc

    add_numbered(session, numbered)
    code = nc.code
    trail.record(
        session,
        TrailAction.NONCONFORMITY_REPORT,
        "nonconformity",
        nc.id,
        actor=actor,
        after={"code": code, "source": source, "process": process.code, "title": nc.title},
    )
    return nc


def accept_nonconformity(session: Session, actor: Any, nc_id: int) -> Nonconformity:
    nc = get_nonconformity(session, actor, nc_id)
    WORKFLOW.apply(session, nc, NcAction.ACCEPT, actor, values={"decided_by_id": actor.id})
    return nc


def discard_nonconformity(session: Session, actor: Any, nc_id: int, reason: str) -> Nonconformity:
    """Not a nonconformity after all: kept, with the reason, never deleted."""
    nc = get_nonconformity(session, actor, nc_id)
    WORKFLOW.apply(
        session,
        nc,
        NcAction.DISCARD,
        actor,
        reason=reason,
        values={"decided_by_id": actor.id, "decision_reason": (reason or "").strip()},
    )
    return nc


def contain_nonconformity(
    session: Session, actor: Any, nc_id: int, containment: str
) -> Nonconformity:
    """The containment or correction taken before any analysis, with who and when."""
    nc = get_nonconformity(session, actor, nc_id)
    text = required_text(containment, "containment", _l("Describe the containment or correction."))
    nc.containment = text  # the guard reads it; the conditional update below persists it
    WORKFLOW.apply(
        session,
        nc,
        NcAction.CONTAIN,
        actor,
        values={"containment": text, "contained_by_id": actor.id, "contained_at": utcnow()},
        details={"containment": text},
    )
    return nc


def list_nonconformities(
    session: Session,
    actor: Any,
    *,
    state: str | None = None,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[Nonconformity]:
    """What the actor may see, newest first; `where` narrows it (the register's filters)."""
    stmt = sa.select(Nonconformity).order_by(Nonconformity.reported_at.desc())
    if state:
        stmt = stmt.where(Nonconformity.state == state)
    if where:
        stmt = stmt.where(*where)
    return list(session.scalars(stmt.where(nonconformity_visibility(actor))))


# Words of four letters or more that say nothing about the problem.
STOP_WORDS = frozenset(
    {"para", "como", "este", "esta", "estos", "sobre", "entre", "desde", "cuando", "porque"}
)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w{4,}", text.casefold()) if w not in STOP_WORDS}


def similar_nonconformities(
    session: Session, actor: Any, nc: Nonconformity, limit: int = 5
) -> list[tuple[Nonconformity, list[str]]]:
    """Earlier or parallel nonconformities the analyst should look at: the same process, the
    same ISO clause or shared words in the title, best first, with the reasons."""
    words = _words(nc.title)
    found = []
    for other in list_nonconformities(session, actor):
        if other.id == nc.id:
            continue
        reasons = []
        if other.process_id == nc.process_id:
            reasons.append("process")
        if nc.iso_clause and other.iso_clause == nc.iso_clause:
            reasons.append("clause")
        if words & _words(other.title):
            reasons.append("words")
        if reasons:
            found.append((other, reasons))
    found.sort(key=lambda pair: (-len(pair[1]), -pair[0].id))
    return found[:limit]
