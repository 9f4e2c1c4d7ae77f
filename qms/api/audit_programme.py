"""The audit programme in the API: the year's programme, its coverage and adherence, and the
auditors' qualification — thin endpoints over qms.audits.programme (permissions and trail are
its own).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from qms.api.audit_coverage import coverage_model
from qms.api.audits import TAG
from qms.api.blueprint import api
from qms.api.dates import parse_date
from qms.api.models.audit_bodies import AuditorProfileSave, AuditProgrammeSave
from qms.api.models.audits import AuditCoverage, Auditor, AuditorList, AuditProgramme
from qms.audits import planning_queries, programme
from qms.audits import services as audits
from qms.core.db import db
from qms.core.errors import NotFound
from qms.core.permissions import Permission
from qms.documents.approval import today
from qms.users.models import User

P = Permission


# --- Programme -----------------------------------------------------------------------------


@api.route(
    "/audit-programmes/<int:year>",
    summary="The year's audit programme: objectives, scope, criteria, risks, and its audits",
    response=AuditProgramme,
    permission=P.AUDIT_READ_ALL,
    tag=TAG,
)
def audit_programme(actor: User, year: int) -> AuditProgramme:
    found = programme.get_programme(db.session, year)
    if found is None:
        raise NotFound(str(_l("Audit programme not found.")))
    return AuditProgramme.of(found, audits.list_audits(db.session, actor, year=year))


@api.route(
    "/audit-programmes/<int:year>",
    method="PUT",
    summary="Write the year's audit programme, or change it",
    response=AuditProgramme,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body=AuditProgrammeSave,
    tag=TAG,
)
def save_audit_programme(actor: User, year: int, body: AuditProgrammeSave) -> AuditProgramme:
    """Objectives, scope and criteria are required; an omitted text is emptied."""
    saved = programme.save_programme(db.session, actor, year, **body.model_dump(exclude_unset=True))
    return AuditProgramme.of(saved, audits.list_audits(db.session, actor, year=year))


@api.route(
    "/audit-programmes/<int:year>/coverage",
    summary="Processes × clauses covered by the year's audits, gaps, follow-ups, adherence",
    response=AuditCoverage,
    permission=P.AUDIT_READ_ALL,
    tag=TAG,
)
def audit_coverage(actor: User, year: int) -> AuditCoverage:
    """Adherence counts the audits carried out in the month first planned, of those due."""
    found = programme.coverage(db.session, actor, year)
    return coverage_model(found, programme.adherence(db.session, year, today()))


# --- Auditors ------------------------------------------------------------------------------


@api.route(
    "/auditors",
    summary="Who may audit: qualification and audits done",
    response=AuditorList,
    permission=P.AUDIT_READ_ALL,
    tag=TAG,
)
def auditors(actor: User) -> AuditorList:
    """Active users with the auditor or quality lead role."""
    rows = planning_queries.auditor_rows(db.session)
    return AuditorList(items=[Auditor.of(r.user, r.profile, r.audits_done) for r in rows])


@api.route(
    "/auditors/<int:user_id>",
    method="PUT",
    summary="Keep an auditor's qualification: training, date qualified, remarks",
    response=Auditor,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body=AuditorProfileSave,
    tag=TAG,
)
def save_auditor(actor: User, user_id: int, body: AuditorProfileSave) -> Auditor:
    profile = programme.save_auditor_profile(
        db.session,
        actor,
        user_id,
        training=body.training,
        qualified_on=parse_date(body, "qualified_on"),
        notes=body.notes,
    )
    return Auditor.of(profile.user, profile, audits.audits_done(db.session, user_id))
