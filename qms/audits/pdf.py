"""The audit plan and the audit report as PDFs: the same print machinery as the nonconformity
report (print template, sandboxed WeasyPrint, safe fetcher); every print is in the trail."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app, render_template
from flask_babel import get_locale
from sqlalchemy.orm import Session

from qms.audits import labels
from qms.audits.models import (
    Answer,
    Audit,
    AuditState,
    FindingGrade,
    ReportSignatureMeaning,
)
from qms.audits.report import report_sha256
from qms.audits.services import get_audit
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.trail_actions import TrailAction
from qms.documents import iso9001
from qms.printing.render import render_pdf
from qms.trail import services as trail
from qms.users.models import User

ISSUED = (AuditState.REPORT_ISSUED, AuditState.CLOSED)


def _language() -> str:
    return str(get_locale() or current_app.config.get("BABEL_DEFAULT_LOCALE", "es"))


def _clauses(audit: Audit) -> list[tuple[str, str]]:
    language = _language()
    return [(number, iso9001.title_of(number, language) or "") for number in audit.clauses or []]


def _team(audit: Audit) -> list[tuple[Any, str]]:
    """(user, role label), the lead auditor first."""
    members = sorted(audit.team, key=lambda m: (m.role != "lead", m.id))
    return [(m.user, labels.TEAM_ROLE_LABELS.get(m.role, m.role)) for m in members]


def _independence(audit: Audit) -> list[tuple[Any, str, Any]]:
    """(auditor, justification, quality lead who waived) for each waiver of independence."""
    return [
        (m.user, m.independence_justification, db.session.get(User, m.justified_by_id))
        for m in audit.team
        if m.independence_justification and m.removed_at is None
    ]


def _render(template: str, audit: Audit, **context: Any) -> bytes:
    html = render_template(
        template,
        audit=audit,
        clauses=_clauses(audit),
        team=_team(audit),
        independence=_independence(audit),
        logo=current_app.config.get("QMS_PRINT_LOGO", "img/logo.svg"),
        lang=_language(),
        **labels.all_labels(),
        **context,
    )
    pdf, _ms = render_pdf(html)
    return pdf


def audit_plan_pdf(session: Session, actor: Any, audit_id: int) -> tuple[bytes, str]:
    """The plan of an audit the actor may see (auditees included): what, where, when, who."""
    audit = get_audit(session, actor, audit_id)
    pdf = _render(
        "print/audit_plan.html",
        audit,
        agenda=audit.agenda,
        notified_at=audit.notified_at,  # UTC: the templates show it in the local zone
    )
    trail.record(
        session,
        TrailAction.AUDIT_PRINT_PLAN,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code},
    )
    return pdf, f"{audit.code}-plan.pdf"


def _nonconformity_codes(session: Session, audit: Audit) -> dict[int, str]:
    codes = {}
    for finding in audit.findings:
        if finding.nonconformity_id is not None:
            nc = session.get(Nonconformity, finding.nonconformity_id)
            if nc is not None:
                codes[finding.id] = nc.code
    return codes


def _grade_counts(audit: Audit) -> list[tuple[str, Any, int]]:
    counts = Counter(f.grade for f in audit.findings)
    return [(g.value, labels.GRADE_LABELS[g.value], counts.get(g.value, 0)) for g in FindingGrade]


def _checklist_summary(audit: Audit) -> dict[str, Any]:
    asked = [q for q in audit.questions if not q.withdrawn]
    counts = Counter(q.answer for q in asked)
    rows = [(labels.ANSWER_LABELS[a.value], counts.get(a.value, 0)) for a in Answer]
    return {"total": len(asked), "rows": rows, "unanswered": counts.get("", 0)}


def _signatures(audit: Audit) -> list[dict[str, Any]]:
    order: dict[str, int] = {ReportSignatureMeaning.SIGNED: 0, ReportSignatureMeaning.ACCEPTED: 1}
    return [
        {
            "meaning": labels.SIGNATURE_LABELS.get(s.meaning, s.meaning),
            "printed_name": s.printed_name,
            "job_title": s.job_title,
            "comment": s.comment,
            "at": s.signed_at,
            "content_sha256": s.content_sha256,
        }
        for s in sorted(audit.signatures, key=lambda s: (order.get(s.meaning, 9), s.id))
    ]


def audit_report_pdf(session: Session, actor: Any, audit_id: int) -> tuple[bytes, str]:
    """The report of an audit the actor may see; DRAFT across it until the lead auditor signs."""
    audit = get_audit(session, actor, audit_id)
    is_draft = audit.state not in ISSUED
    pdf = _render(
        "print/audit_report.html",
        audit,
        is_draft=is_draft,
        content_sha256=audit.report_sha256 or report_sha256(audit),
        grade_counts=_grade_counts(audit),
        nc_codes=_nonconformity_codes(session, audit),
        checklist=_checklist_summary(audit),
        signatures=_signatures(audit),
        issued_at=audit.report_issued_at,
    )
    trail.record(
        session,
        TrailAction.AUDIT_PRINT_REPORT,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, "draft": is_draft},
    )
    suffix = "report-draft" if is_draft else "report"
    return pdf, f"{audit.code}-{suffix}.pdf"
