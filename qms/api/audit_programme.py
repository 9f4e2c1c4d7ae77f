"""The audit programme in the API: the year's programme, its coverage and adherence, and the
auditors' qualification — thin endpoints over qms.audits.programme (permissions and trail are
its own).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from qms.api.audit_schemas import auditor_as_dict, coverage_as_dict, programme_as_dict
from qms.api.audits import TAG
from qms.api.documents import parse_date
from qms.api.views import api
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
    response="AuditProgramme",
    permission=P.AUDIT_READ_ALL,
    tag=TAG,
)
def audit_programme(actor: User, year: int) -> dict[str, Any]:
    found = programme.get_programme(db.session, year)
    if found is None:
        raise NotFound(str(_l("Audit programme not found.")))
    return programme_as_dict(found, audits.list_audits(db.session, actor, year=year))


@api.route(
    "/audit-programmes/<int:year>",
    method="PUT",
    summary="Write the year's audit programme, or change it",
    response="AuditProgramme",
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body="AuditProgrammeSave",
    tag=TAG,
)
def save_audit_programme(actor: User, year: int, body: dict[str, Any]) -> dict[str, Any]:
    """Objectives, scope and criteria are required; an omitted text is emptied."""
    saved = programme.save_programme(db.session, actor, year, **body)
    return programme_as_dict(saved, audits.list_audits(db.session, actor, year=year))


@api.route(
    "/audit-programmes/<int:year>/coverage",
    summary="Processes × clauses covered by the year's audits, gaps, follow-ups, adherence",
    response="AuditCoverage",
    permission=P.AUDIT_READ_ALL,
    tag=TAG,
)
def audit_coverage(actor: User, year: int) -> dict[str, Any]:
    """Adherence counts the audits carried out in the month first planned, of those due."""
    found = programme.coverage(db.session, actor, year)
    return coverage_as_dict(found, programme.adherence(db.session, year, today()))


# --- Auditors ------------------------------------------------------------------------------


@api.route(
    "/auditors",
    summary="Who may audit: qualification and audits done",
    response="AuditorList",
    permission=P.AUDIT_READ_ALL,
    tag=TAG,
)
def auditors(actor: User) -> dict[str, Any]:
    """Active users with the auditor or quality lead role."""
    rows = planning_queries.auditor_rows(db.session)
    return {"items": [auditor_as_dict(r.user, r.profile, r.audits_done) for r in rows]}


@api.route(
    "/auditors/<int:user_id>",
    method="PUT",
    summary="Keep an auditor's qualification: training, date qualified, remarks",
    response="Auditor",
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body="AuditorProfileSave",
    tag=TAG,
)
def save_auditor(actor: User, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
    profile = programme.save_auditor_profile(
        db.session,
        actor,
        user_id,
        training=body["training"],
        qualified_on=parse_date(body, "qualified_on"),
        notes=body.get("notes", ""),
    )
    return auditor_as_dict(profile.user, profile, audits.audits_done(db.session, user_id))
