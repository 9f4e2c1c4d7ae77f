"""The audit report: written during the audit, signed by the lead auditor (issued, read-only from
then on), accepted by the leader of each audited process, then the audit is closed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.lifecycle import WORKFLOW, AuditAction, is_on_team, report_is_ready
from qms.audits.models import Audit, AuditSignature, AuditState, ReportSignatureMeaning
from qms.audits.services import get_audit, text
from qms.core.db import utcnow
from qms.core.errors import Conflict, PermissionDenied
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.core.workflow import conditional_update
from qms.trail import services as trail
from qms.users.auth import reauthenticate_to_sign

P = Permission
M = ReportSignatureMeaning


def report_content(audit: Audit) -> dict[str, Any]:
    """Everything the report states, as plain values: what the signatures' hash covers."""
    return {
        "code": audit.code,
        "title": audit.title,
        "objectives": audit.objectives,
        "scope": audit.scope,
        "criteria": audit.criteria,
        "clauses": list(audit.clauses or []),
        "dates": [audit.start_on.isoformat(), audit.end_on.isoformat()],
        "processes": [p.code for p in audit.processes],
        "team": [[m.user.username, m.role] for m in audit.team],
        "auditees": [u.username for u in audit.auditees],
        "checklist": [
            [q.id, q.text, q.answer, q.notes] for q in audit.questions if not q.withdrawn
        ],
        "findings": [
            [f.seq, f.grade, f.process.code, f.iso_clause, f.criterion, f.evidence, f.statement]
            for f in audit.findings
        ],
        "conclusions": audit.conclusions,
        "strengths": audit.strengths,
        "distribution": audit.distribution,
    }


def report_sha256(audit: Audit) -> str:
    canonical = json.dumps(report_content(audit), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def save_report_text(
    session: Session,
    actor: Any,
    audit_id: int,
    *,
    conclusions: str,
    strengths: str,
    distribution: str,
) -> Audit:
    """The report's conclusions, strengths and distribution list, while the audit runs."""
    audit = get_audit(session, actor, audit_id)
    require(actor, P.AUDIT_CONDUCT)
    is_on_team(audit, actor)
    if audit.state != AuditState.IN_PROGRESS:
        raise Conflict(str(_l("The report is read-only once issued.")))
    values = {
        "conclusions": text(conclusions, "conclusions"),
        "strengths": text(strengths, "strengths"),
        "distribution": text(distribution, "distribution"),
    }
    before = {name: getattr(audit, name) for name in values}
    conditional_update(session, Audit, audit.id, AuditState.IN_PROGRESS, values)
    session.refresh(audit)
    trail.record(
        session,
        TrailAction.AUDIT_WRITE_REPORT,
        "audit",
        audit.id,
        actor=actor,
        before=before,
        after={"code": audit.code, **values},
    )
    return audit


def _sign(
    session: Session, actor: Any, audit: Audit, meaning: str, password: str, comment: str = ""
) -> AuditSignature:
    """The password again (`reauthenticate_to_sign`), then the signature with the hash of the
    report as it is now."""
    reauthenticate_to_sign(
        session,
        actor,
        password,
        object_type="audit",
        object_id=audit.id,
        details={"meaning": meaning, "code": audit.code},
    )
    signature = AuditSignature(
        audit_id=audit.id,
        user_id=actor.id,
        meaning=meaning,
        printed_name=actor.full_name,
        job_title=actor.job_title or "",
        comment=(comment or "").strip()[:2000],
        content_sha256=report_sha256(audit),
        signed_at=utcnow(),
    )
    session.add(signature)
    session.flush()
    return signature


def issue_report(session: Session, actor: Any, audit_id: int, password: str) -> AuditSignature:
    """The lead auditor signs: the report is issued and read-only from now on."""
    audit = get_audit(session, actor, audit_id)
    require(actor, P.AUDIT_CONDUCT)
    report_is_ready(audit, actor)
    signature = _sign(session, actor, audit, M.SIGNED, password)
    WORKFLOW.apply(
        session,
        audit,
        AuditAction.ISSUE_REPORT,
        actor,
        values={"report_issued_at": utcnow(), "report_sha256": signature.content_sha256},
        details={"report_sha256": signature.content_sha256},
    )
    return signature


def accept_report(
    session: Session, actor: Any, audit_id: int, password: str, comment: str = ""
) -> AuditSignature:
    """A leader of an audited process signs that the report was received and accepted."""
    audit = get_audit(session, actor, audit_id)
    require(actor, P.AUDIT_REPORT_ACCEPT)
    if not audit.leads_audited_process(actor.id):
        raise PermissionDenied(str(_l("Only the leader of an audited process accepts the report.")))
    if audit.state != AuditState.REPORT_ISSUED:
        raise Conflict(str(_l("The report can be accepted once it is issued.")))
    # Lock the audit in its state first, then read its signatures: of two racing acceptances
    # by the same leader, the second sees the first and is refused.
    conditional_update(session, Audit, audit.id, AuditState.REPORT_ISSUED, {})
    session.expire(audit, ["signatures"])
    if any(s.meaning == M.ACCEPTED and s.user_id == actor.id for s in audit.signatures):
        raise Conflict(str(_l("You have already accepted this report.")))
    if report_sha256(audit) != audit.report_sha256:
        raise Conflict(str(_l("The report changed after it was issued: it cannot be accepted.")))
    signature = _sign(session, actor, audit, M.ACCEPTED, password, comment)
    trail.record(
        session,
        TrailAction.AUDIT_ACCEPT_REPORT,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, "report_sha256": signature.content_sha256},
    )
    session.expire(audit, ["signatures"])
    return signature


def close_audit(session: Session, actor: Any, audit_id: int) -> Audit:
    """Refused while a nonconformity finding has no nonconformity, or the report is unaccepted."""
    audit = get_audit(session, actor, audit_id)
    WORKFLOW.apply(session, audit, AuditAction.CLOSE, actor, values={"closed_at": utcnow()})
    return audit
