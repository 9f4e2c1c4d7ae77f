"""Findings (hallazgos) and the one step that turns a nonconformity finding into a nonconformity."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.lifecycle import is_on_team
from qms.audits.models import Audit, AuditState, ChecklistQuestion, Finding, FindingGrade
from qms.audits.services import clean_clause, get_audit, text
from qms.capa import services as capa
from qms.capa.models import NcSource, Nonconformity, Severity
from qms.core.db import rowcount
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, can, require
from qms.core.sequence import add_numbered
from qms.core.trail_actions import TrailAction
from qms.documents.approval import today
from qms.trail import services as trail

P = Permission


def record_finding(
    session: Session,
    actor: Any,
    audit_id: int,
    *,
    grade: str,
    process_id: int,
    criterion: str,
    evidence: str,
    statement: str,
    iso_clause: str = "",
    question_id: int | None = None,
) -> Finding:
    """A team member records what was found, against which criterion, with what evidence."""
    audit = get_audit(session, actor, audit_id)
    require(actor, P.AUDIT_CONDUCT)
    is_on_team(audit, actor)
    if audit.state != AuditState.IN_PROGRESS:
        raise Conflict(str(_l("Findings are recorded while the audit is in progress.")))
    if grade not in set(FindingGrade):
        raise ValidationFailed(str(_l("Choose the grade of the finding.")), field="grade")
    if process_id not in {p.id for p in audit.processes}:
        raise ValidationFailed(str(_l("Choose one of the audited processes.")), field="process_id")
    clause = clean_clause(iso_clause, "iso_clause")
    if question_id is not None:
        question = session.get(ChecklistQuestion, question_id)
        if question is None or question.audit_id != audit.id:
            raise ValidationFailed(
                str(_l("Choose a question of this checklist.")), field="question_id"
            )
    finding = Finding(
        audit_id=audit.id,
        grade=grade,
        process_id=process_id,
        iso_clause=clause,
        criterion=text(criterion, "criterion", required=_l("Give the audit criterion.")),
        evidence=text(evidence, "evidence", required=_l("Give the evidence of the finding.")),
        statement=text(statement, "statement", required=_l("State the finding.")),
        question_id=question_id,
        created_by_id=actor.id,
    )

    def numbered() -> Finding:
        last = session.scalar(
            sa.select(sa.func.max(Finding.seq)).where(Finding.audit_id == audit.id)
        )
        finding.seq = (last or 0) + 1
        return finding

    add_numbered(session, numbered)
    trail.record(
        session,
        TrailAction.AUDIT_RECORD_FINDING,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, "finding": finding.seq, "grade": grade, "clause": clause},
    )
    return finding


def get_finding(session: Session, actor: Any, finding_id: int) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(str(_l("Finding not found.")))
    get_audit(session, actor, finding.audit_id)
    return finding


def open_nonconformity(session: Session, actor: Any, finding_id: int) -> Nonconformity:
    """Raise the finding's nonconformity in the CAPA module, linked both ways, in one step."""
    finding = get_finding(session, actor, finding_id)
    audit: Audit = finding.audit
    require(actor, P.AUDIT_CONDUCT)
    if not can(actor, P.AUDIT_PROGRAMME_MANAGE):
        is_on_team(audit, actor)
    if not FindingGrade(finding.grade).is_nonconformity:
        raise ValidationFailed(
            str(_l("Only a nonconformity finding opens a nonconformity.")), field="grade"
        )
    if audit.state not in (AuditState.IN_PROGRESS, AuditState.REPORT_ISSUED):
        raise Conflict(str(_l("This audit takes no more nonconformities.")))
    # Lock the finding: of two racing clicks, one opens the nonconformity, the other gets 409.
    locked = session.execute(
        sa.update(Finding)
        .where(Finding.id == finding.id, Finding.nonconformity_id.is_(None))
        .values(nonconformity_id=None)
        .execution_options(synchronize_session=False)
    )
    if rowcount(locked) != 1:
        raise Conflict(str(_l("This finding already has its nonconformity.")))
    detected_on = min(audit.start_on, today())
    nc = capa.report_nonconformity(
        session,
        actor,
        source=NcSource.INTERNAL_AUDIT,
        process_id=finding.process_id,
        title=f"{audit.code} H{finding.seq}: {finding.statement}"[:200],
        description=(
            f"{finding.statement}\n\n{_l('Criterion')}: {finding.criterion}\n"
            f"{_l('Evidence')}: {finding.evidence}"
        ),
        detected_on=detected_on,
        detected_by=audit.lead_auditor.full_name,
        severity=Severity.MAJOR if finding.grade == FindingGrade.MAJOR_NC else Severity.MINOR,
        iso_clause=finding.iso_clause,
    )
    done = session.execute(
        sa.update(Finding)
        .where(Finding.id == finding.id, Finding.nonconformity_id.is_(None))
        .values(nonconformity_id=nc.id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        raise Conflict(str(_l("This finding already has its nonconformity.")))
    session.refresh(finding)
    trail.record(
        session,
        TrailAction.AUDIT_OPEN_NONCONFORMITY,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, "finding": finding.seq, "nonconformity": nc.code},
    )
    return nc


def finding_of_nonconformity(session: Session, nc_id: int) -> Finding | None:
    """The audit finding a nonconformity came from (the link back from the CAPA side)."""
    return session.scalar(sa.select(Finding).where(Finding.nonconformity_id == nc_id))
