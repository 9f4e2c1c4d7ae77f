"""Findings and the report, on the `audit_work` blueprint: record a finding, open its
nonconformity, write the report, sign it (issue), accept it, close the audit."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.audits import findings, report
from qms.audits.models import Audit
from qms.audits.services import get_audit
from qms.audits.urls import audit_work_bp as bp
from qms.audits.work_forms import (
    AcceptReportForm,
    ActionForm,
    FindingForm,
    IssueReportForm,
    ReportTextForm,
)
from qms.audits.work_views import language, render_show, show_error, step
from qms.core.db import db
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.documents import iso9001

P = Permission


@bp.post("/<int:audit_id>/findings")
@permission_required(P.AUDIT_CONDUCT)
def record_finding(audit_id: int) -> ResponseReturnValue:
    form = FindingForm()

    def call(audit: Audit) -> None:
        findings.record_finding(
            db.session,
            current_user,
            audit.id,
            grade=form.grade.data or "",
            process_id=form.process_id.data or 0,
            criterion=form.criterion.data or "",
            evidence=form.evidence.data or "",
            statement=form.statement.data or "",
            iso_clause=form.iso_clause.data or "",
            question_id=form.question_id.data,
        )

    audit = get_audit(db.session, current_user, audit_id)
    form.set_choices(
        audit.processes,
        iso9001.clauses(language()),
        [q for q in audit.questions if not q.withdrawn],
    )
    return step(audit_id, "finding_form", form, call, _("Finding recorded."), anchor="findings")


@bp.post("/findings/<int:finding_id>/nonconformity")
@permission_required(P.AUDIT_CONDUCT)
def open_nonconformity(finding_id: int) -> ResponseReturnValue:
    finding = findings.get_finding(db.session, current_user, finding_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for(".show", audit_id=finding.audit_id, _anchor="findings"))
    audit_id = finding.audit_id
    try:
        nc = findings.open_nonconformity(db.session, current_user, finding_id)
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        show_error(form, error)
        audit = get_audit(db.session, current_user, audit_id)
        return render_show(audit, error.status_code, open_nc_form=form)
    flash(_("Nonconformity %(code)s opened from the finding.", code=nc.code), "success")
    return redirect(url_for("capa.show", nc_id=nc.id))


@bp.post("/<int:audit_id>/report")
@permission_required(P.AUDIT_CONDUCT)
def save_report(audit_id: int) -> ResponseReturnValue:
    form = ReportTextForm()
    return step(
        audit_id,
        "report_form",
        form,
        lambda audit: report.save_report_text(
            db.session,
            current_user,
            audit.id,
            conclusions=form.conclusions.data or "",
            strengths=form.strengths.data or "",
            distribution=form.distribution.data or "",
        ),
        _("Report text saved."),
        anchor="report",
    )


@bp.post("/<int:audit_id>/report/issue")
@permission_required(P.AUDIT_CONDUCT)
def issue_report(audit_id: int) -> ResponseReturnValue:
    form = IssueReportForm()
    return step(
        audit_id,
        "issue_form",
        form,
        lambda audit: report.issue_report(
            db.session, current_user, audit.id, form.password.data or ""
        ),
        _("Report signed and issued: it is read-only from now on."),
        anchor="report",
    )


@bp.post("/<int:audit_id>/report/accept")
@permission_required(P.AUDIT_REPORT_ACCEPT)
def accept_report(audit_id: int) -> ResponseReturnValue:
    form = AcceptReportForm()
    return step(
        audit_id,
        "accept_form",
        form,
        lambda audit: report.accept_report(
            db.session,
            current_user,
            audit.id,
            form.password.data or "",
            form.comment.data or "",
        ),
        _("Report accepted."),
        anchor="signatures",
    )


@bp.post("/<int:audit_id>/close")
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def close(audit_id: int) -> ResponseReturnValue:
    return step(
        audit_id,
        "close_form",
        ActionForm(),
        lambda audit: report.close_audit(db.session, current_user, audit.id),
        _("Audit closed."),
    )
