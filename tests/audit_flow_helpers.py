"""Drive a planned audit through its lifecycle with the real services (for PDF, mail, tick
tests): agenda, notify, start, answers, a major finding, report text, issue, nonconformity."""

from __future__ import annotations

from dataclasses import dataclass

from qms.audits import checklist, findings, report
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import AgendaItem, AgendaKind, Audit, FindingGrade
from qms.core.db import db
from tests.audits_fixtures import AuditOrg
from tests.documents_fixtures import user
from tests.helpers import PASSWORD

STATEMENT = "Las quejas se responden fuera del término legal."


@dataclass
class Ran:
    finding_id: int
    nc_code: str | None


def add_agenda(audit_id: int, org: AuditOrg) -> None:
    audit = db.session.get(Audit, audit_id)
    rows = [
        (AgendaKind.OPENING, "08:00", "08:30", None, "Reunión de apertura"),
        (AgendaKind.INTERVIEW, "08:30", "10:00", org.ac_id, "Entrevista atención PQRS"),
        (AgendaKind.CLOSING, "16:00", "16:30", None, "Reunión de cierre"),
    ]
    for kind, start, end, process_id, topic in rows:
        db.session.add(
            AgendaItem(
                audit_id=audit_id,
                kind=kind,
                day=audit.start_on,
                starts_at=start,
                ends_at=end,
                process_id=process_id,
                topic=topic,
                participants="Olga, Sara",
            )
        )
    db.session.flush()


def run_to_report(org: AuditOrg, audit_id: int, *, issue: bool = True, open_nc: bool = True) -> Ran:
    """From planned to report issued (signed by the lead auditor, jorge); within app context."""
    auditor = user(org.auditor_id)
    checklist.generate_checklist(db.session, auditor, audit_id)
    WORKFLOW.apply(db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, auditor)
    audits.start_audit(db.session, auditor, audit_id)
    for question in db.session.get(Audit, audit_id).questions:
        checklist.answer_question(
            db.session, auditor, question.id, answer="conforming", notes="Visto."
        )
    finding = findings.record_finding(
        db.session,
        auditor,
        audit_id,
        grade=FindingGrade.MAJOR_NC,
        process_id=org.ac_id,
        iso_clause="8.2.1",
        criterion="Ley 1755 de 2015: 15 días hábiles.",
        evidence="PQRS 2026-118 respondida en 22 días hábiles.",
        statement=STATEMENT,
    )
    report.save_report_text(
        db.session,
        auditor,
        audit_id,
        conclusions="El proceso cumple salvo el término de respuesta.",
        strengths="Registro de PQRS completo.",
        distribution="Gerencia; líder de AC.",
    )
    db.session.commit()
    nc_code = None
    if issue:
        report.issue_report(db.session, auditor, audit_id, PASSWORD)
        db.session.commit()
        if open_nc:
            nc_code = findings.open_nonconformity(db.session, auditor, finding.id).code
            db.session.commit()
    return Ran(finding.id, nc_code)
