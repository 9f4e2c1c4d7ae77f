"""An audit's work in the API: the checklist and its answers with evidence, findings and their
nonconformities, the report (written, issued by the lead auditor, accepted), and the close.

Thin endpoints over qms.audits.checklist, findings and report; who may do what, the states that
allow it (409 otherwise) and the trail are theirs. Signing re-authenticates with the token
owner's password, as document signatures do.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, send_file

from qms.api.audits import TAG, audit_model
from qms.api.blueprint import api
from qms.api.capa import nc_model
from qms.api.models.audit_bodies import (
    AuditAnswer,
    AuditFindingCreate,
    AuditQuestionCreate,
    AuditQuestionEdit,
    AuditReportAccept,
    AuditReportIssue,
    AuditReportText,
)
from qms.api.models.audits import Audit as AuditOut
from qms.api.models.audits import (
    AuditEvidence,
    AuditFinding,
    AuditQuestion,
    AuditSignature,
    ChecklistGenerated,
    FindingNonconformity,
    SignedAuditReport,
)
from qms.api.registry import Query, checked_upload
from qms.audits import checklist, findings, report
from qms.audits import services as audits
from qms.audits.models import AuditSignature as AuditSignatureRow
from qms.core.db import db
from qms.core.permissions import Permission
from qms.users.models import User

P = Permission


def _question_model(question: Any) -> AuditQuestion:
    db.session.expire(question, ["evidence"])
    return AuditQuestion.of(question)


# --- Checklist -----------------------------------------------------------------------------


@api.route(
    "/audits/<int:audit_id>/checklist/generate",
    method="POST",
    summary="Add the questions of the audit's clauses and of the documents in force",
    response=ChecklistGenerated,
    permission=P.AUDIT_CONDUCT,
    params=[Query("language", "string", "Language of the questions.", enum=("es", "en"))],
    tag=TAG,
)
def generate_audit_checklist(
    actor: User, audit_id: int, language: str | None
) -> ChecklistGenerated:
    """Questions already there are not added twice, so it may run again after the plan changed.
    The team or a quality lead, before the audit starts. The language defaults to the token
    owner's."""
    added = checklist.generate_checklist(
        db.session, actor, audit_id, language or actor.locale or "es"
    )
    audit = audit_model(audits.get_audit(db.session, actor, audit_id))
    return ChecklistGenerated(added=added, audit=audit)


@api.route(
    "/audits/<int:audit_id>/questions",
    method="POST",
    summary="Add a question to the checklist before the audit starts",
    response=AuditQuestion,
    permission=P.AUDIT_CONDUCT,
    body=AuditQuestionCreate,
    tag=TAG,
)
def add_audit_question(actor: User, audit_id: int, body: AuditQuestionCreate) -> AuditQuestion:
    question = checklist.add_question(
        db.session,
        actor,
        audit_id,
        text_=body.text,
        iso_clause=body.iso_clause,
        process_id=body.process_id,
    )
    return _question_model(question)


@api.route(
    "/audit-questions/<int:question_id>",
    method="PUT",
    summary="Reword a checklist question before the audit starts",
    response=AuditQuestion,
    permission=P.AUDIT_CONDUCT,
    body=AuditQuestionEdit,
    tag=TAG,
)
def edit_audit_question(actor: User, question_id: int, body: AuditQuestionEdit) -> AuditQuestion:
    return _question_model(checklist.edit_question(db.session, actor, question_id, body.text))


@api.route(
    "/audit-questions/<int:question_id>/withdraw",
    method="POST",
    summary="Take a question out of the checklist before the audit: kept, marked withdrawn",
    response=AuditQuestion,
    permission=P.AUDIT_CONDUCT,
    tag=TAG,
)
def withdraw_audit_question(actor: User, question_id: int) -> AuditQuestion:
    return _question_model(checklist.withdraw_question(db.session, actor, question_id))


@api.route(
    "/audit-questions/<int:question_id>/answer",
    method="PUT",
    summary="Record one question's answer and notes while the audit runs (the team)",
    response=AuditQuestion,
    permission=P.AUDIT_CONDUCT,
    body=AuditAnswer,
    tag=TAG,
)
def answer_audit_question(actor: User, question_id: int, body: AuditAnswer) -> AuditQuestion:
    """Idempotent: the same answer sent again records nothing new."""
    question = checklist.answer_question(
        db.session, actor, question_id, answer=body.answer, notes=body.notes
    )
    return _question_model(question)


@api.route(
    "/audit-questions/<int:question_id>/evidence",
    method="POST",
    summary="Attach a file of evidence to an answer: the request body is the file's bytes",
    response=AuditEvidence,
    permission=P.AUDIT_CONDUCT,
    raw_body=True,
    params=[Query("filename", "string", "The file's name (required); shown, never a path.")],
    tag=TAG,
)
def attach_audit_evidence(
    actor: User, question_id: int, body: bytes, filename: str | None
) -> AuditEvidence:
    """Send the raw bytes (not a form) with `Content-Type` set to the file's media type, up to
    the server's upload limit (413 beyond it), while the audit is in progress."""
    filename, media_type = checked_upload(body, filename)
    evidence = checklist.attach_answer_evidence(
        db.session,
        current_app.extensions["qms_store"],
        actor,
        question_id,
        data=body,
        filename=filename,
        media_type=media_type,
    )
    return AuditEvidence.of(evidence)


@api.route(
    "/audit-evidence/<int:evidence_id>",
    summary="The bytes of a file of evidence",
    response="Binary",
    permission=P.AUDIT_READ_ALL,
    own=True,
    media_type="*/*",
    tag=TAG,
)
def audit_evidence(actor: User, evidence_id: int) -> Response:
    """The file's own media type; always offered as a download, never rendered inline."""
    evidence, data = checklist.read_answer_evidence(
        db.session, current_app.extensions["qms_store"], actor, evidence_id
    )
    return send_file(
        io.BytesIO(data),
        mimetype=evidence.media_type,
        as_attachment=True,
        download_name=evidence.filename,
    )


# --- Findings ------------------------------------------------------------------------------


@api.route(
    "/audits/<int:audit_id>/findings",
    method="POST",
    summary="Record a finding: grade, process, criterion, evidence, statement",
    response=AuditFinding,
    permission=P.AUDIT_CONDUCT,
    body=AuditFindingCreate,
    tag=TAG,
)
def record_audit_finding(actor: User, audit_id: int, body: AuditFindingCreate) -> AuditFinding:
    finding = findings.record_finding(
        db.session,
        actor,
        audit_id,
        grade=body.grade,
        process_id=body.process_id,
        criterion=body.criterion,
        evidence=body.evidence,
        statement=body.statement,
        iso_clause=body.iso_clause,
        question_id=body.question_id,
    )
    return AuditFinding.of(finding)


@api.route(
    "/audit-findings/<int:finding_id>/nonconformity",
    method="POST",
    summary="Open the nonconformity of a nonconformity finding, linked both ways (once)",
    response=FindingNonconformity,
    permission=P.AUDIT_CONDUCT,
    tag=TAG,
)
def open_finding_nonconformity(actor: User, finding_id: int) -> FindingNonconformity:
    """A second call answers 409: a finding has one nonconformity."""
    nc = findings.open_nonconformity(db.session, actor, finding_id)
    finding = findings.get_finding(db.session, actor, finding_id)
    return FindingNonconformity(finding=AuditFinding.of(finding), nonconformity=nc_model(nc))


# --- Report --------------------------------------------------------------------------------


@api.route(
    "/audits/<int:audit_id>/report",
    method="PUT",
    summary="Write the report's conclusions, strengths and distribution while the audit runs",
    response=AuditOut,
    permission=P.AUDIT_CONDUCT,
    body=AuditReportText,
    tag=TAG,
)
def write_audit_report(actor: User, audit_id: int, body: AuditReportText) -> AuditOut:
    """An omitted text is emptied."""
    written = report.save_report_text(
        db.session,
        actor,
        audit_id,
        conclusions=body.conclusions,
        strengths=body.strengths,
        distribution=body.distribution,
    )
    return audit_model(written)


def _signed(sign: Callable[[], AuditSignatureRow], actor: User, audit_id: int) -> SignedAuditReport:
    # A wrong password (403) or a lockout (429) is a recorded error: its trail event is kept.
    signature = sign()
    audit = audits.get_audit(db.session, actor, audit_id)
    return SignedAuditReport(signature=AuditSignature.of(signature), audit=audit_model(audit))


@api.route(
    "/audits/<int:audit_id>/report/issue",
    method="POST",
    summary="Sign and issue the report (the lead auditor): read-only from then on",
    response=SignedAuditReport,
    permission=P.AUDIT_CONDUCT,
    body=AuditReportIssue,
    tag=TAG,
)
def issue_audit_report(actor: User, audit_id: int, body: AuditReportIssue) -> SignedAuditReport:
    """Needs the conclusions and an answer to every checklist question. The signature keeps the
    SHA-256 of the report's content."""
    return _signed(
        lambda: report.issue_report(db.session, actor, audit_id, body.password),
        actor,
        audit_id,
    )


@api.route(
    "/audits/<int:audit_id>/report/accept",
    method="POST",
    summary="Accept the issued report (a leader of an audited process), with a comment",
    response=SignedAuditReport,
    permission=P.AUDIT_REPORT_ACCEPT,
    body=AuditReportAccept,
    tag=TAG,
)
def accept_audit_report(actor: User, audit_id: int, body: AuditReportAccept) -> SignedAuditReport:
    return _signed(
        lambda: report.accept_report(db.session, actor, audit_id, body.password, body.comment),
        actor,
        audit_id,
    )


@api.route(
    "/audits/<int:audit_id>/close",
    method="POST",
    summary="Close the audit: every nonconformity finding has its nonconformity, report accepted",
    response=AuditOut,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    tag=TAG,
)
def close_audit(actor: User, audit_id: int) -> AuditOut:
    return audit_model(report.close_audit(db.session, actor, audit_id))
