"""Internal audits (clause 9.2) in the API: planning, the audit's lifecycle and its PDFs — thin
endpoints over qms.audits.

Visibility (hidden → 404), permissions, independence, lifecycle guards (a step out of turn or a
lost race → 409) and trail events are the services' own. The programme, its coverage and the
auditors are in `qms.api.audit_programme`; checklists, findings and the report in
`qms.api.audit_work`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from flask_babel import lazy_gettext as _l

from qms.api.blueprint import api
from qms.api.dates import parse_date, required_date
from qms.api.models.audit_bodies import (
    AuditCancel,
    AuditPlanCreate,
    AuditPlanEdit,
    AuditReschedulePlan,
)
from qms.api.models.audits import Audit as AuditOut
from qms.api.models.audits import AuditList, AuditSummary
from qms.api.registry import Query
from qms.audits import programme
from qms.audits import services as audits
from qms.audits.models import Audit, AuditState
from qms.audits.services import AuditPlan, TeamSeat
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission
from qms.users.models import User

P = Permission
TAG = "audits"
_STATES = tuple(s.value for s in AuditState)
_SEEN = (
    "All of them with `audit:read_all`; otherwise those one is on the team of, is audited in, "
    "or leads an audited process of."
)


def audit_model(audit: Audit) -> AuditOut:
    """The audit as it now is: services add questions, findings, signatures by id."""
    db.session.expire(
        audit, ["team", "agenda", "questions", "findings", "reschedules", "signatures"]
    )
    for question in audit.questions:
        db.session.expire(question, ["evidence"])
    return AuditOut.of(audit)


def _seat(value: Any, field: str) -> TeamSeat:
    """`{user_id, justification?}`; anything else names `field`."""
    user_id = value.get("user_id") if isinstance(value, dict) else None
    why = value.get("justification", "") if isinstance(value, dict) else None
    if (
        not isinstance(user_id, int)
        or isinstance(user_id, bool)
        or not isinstance(why, str)
        or set(value) - {"user_id", "justification"}
    ):
        raise ValidationFailed(str(_l("Choose active users.")), field=field)
    return TeamSeat(user_id, why)


def _plan(body: AuditPlanCreate | AuditPlanEdit, start_on: date, end_on: date) -> AuditPlan:
    return AuditPlan(
        title=body.title,
        scope=body.scope,
        criteria=body.criteria,
        process_ids=list(body.process_ids),
        start_on=start_on,
        end_on=end_on,
        lead_auditor=_seat(body.lead_auditor, "lead_auditor"),
        auditors=[_seat(s, "auditors") for s in body.auditors],
        auditee_ids=list(body.auditee_ids),
        clauses=list(body.clauses),
        objectives=body.objectives,
        place=body.place,
        follow_up_of_id=body.follow_up_of_id,
    )


# --- Audits --------------------------------------------------------------------------------


@api.route(
    "/audits",
    summary="Audits the token's owner may see, by start date",
    description=_SEEN,
    response=AuditList,
    permission=P.AUDIT_READ_ALL,
    own=True,
    params=[
        Query("year", "integer", "Only audits of this programme year.", minimum=2000, maximum=2100),
        Query("state", "string", "Only audits in this state.", enum=_STATES),
    ],
    tag=TAG,
)
def list_audits(actor: User, year: int | None, state: str | None) -> AuditList:
    found = audits.list_audits(db.session, actor, year=year, state=state)
    return AuditList(items=[AuditSummary.of(a) for a in found])


@api.route(
    "/audits/<int:audit_id>",
    summary="One audit: plan, team, agenda, checklist, findings, report and its signatures",
    description=_SEEN,
    response=AuditOut,
    permission=P.AUDIT_READ_ALL,
    own=True,
    tag=TAG,
)
def get_audit(actor: User, audit_id: int) -> AuditOut:
    return audit_model(audits.get_audit(db.session, actor, audit_id))


@api.route(
    "/audits",
    method="POST",
    summary="Plan an audit on a year's programme: scope, criteria, processes, team",
    response=AuditOut,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body=AuditPlanCreate,
    tag=TAG,
)
def plan_audit(actor: User, body: AuditPlanCreate) -> AuditOut:
    """Name the programme by `programme_year` or `programme_id`. An auditor who leads or
    belongs to an audited process needs a `justification` on their seat (ISO 19011)."""
    programme_id = body.programme_id
    if programme_id is None:
        if body.programme_year is None:
            raise ValidationFailed(str(_l("This field is required.")), field="programme_year")
        programme_id = programme.require_programme(db.session, body.programme_year).id
    plan = _plan(body, required_date(body, "start_on"), required_date(body, "end_on"))
    return audit_model(audits.plan_audit(db.session, actor, programme_id, plan))


@api.route(
    "/audits/<int:audit_id>",
    method="PUT",
    summary="Replace the plan before the audit starts; dates move only by rescheduling",
    response=AuditOut,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body=AuditPlanEdit,
    tag=TAG,
)
def edit_audit(actor: User, audit_id: int, body: AuditPlanEdit) -> AuditOut:
    current = audits.get_audit(db.session, actor, audit_id)
    start_on = parse_date(body, "start_on") or current.start_on
    end_on = parse_date(body, "end_on") or current.end_on
    return audit_model(
        audits.update_plan(db.session, actor, audit_id, _plan(body, start_on, end_on))
    )


@api.route(
    "/audits/<int:audit_id>/reschedule",
    method="POST",
    summary="Move the audit's dates, with the reason; a notified plan is to be sent again",
    response=AuditOut,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body=AuditReschedulePlan,
    tag=TAG,
)
def reschedule_audit(actor: User, audit_id: int, body: AuditReschedulePlan) -> AuditOut:
    moved = audits.reschedule_audit(
        db.session,
        actor,
        audit_id,
        start_on=required_date(body, "start_on"),
        end_on=required_date(body, "end_on"),
        reason=body.reason,
    )
    return audit_model(moved)


@api.route(
    "/audits/<int:audit_id>/cancel",
    method="POST",
    summary="Cancel an audit that has not reported, with a reason: kept, never deleted",
    response=AuditOut,
    permission=P.AUDIT_PROGRAMME_MANAGE,
    body=AuditCancel,
    tag=TAG,
)
def cancel_audit(actor: User, audit_id: int, body: AuditCancel) -> AuditOut:
    return audit_model(audits.cancel_audit(db.session, actor, audit_id, body.reason))


@api.route(
    "/audits/<int:audit_id>/notify",
    method="POST",
    summary="Send the plan to the team, the auditees and the process leaders",
    response=AuditOut,
    permission=P.AUDIT_CONDUCT,
    tag=TAG,
)
def notify_audit_plan(actor: User, audit_id: int) -> AuditOut:
    """The lead auditor (or a quality lead), once scope, criteria and auditees are set."""
    from qms.audits.notify import notify_plan

    return audit_model(notify_plan(db.session, actor, audit_id))


@api.route(
    "/audits/<int:audit_id>/start",
    method="POST",
    summary="Hold the opening meeting: answers and findings are recorded from now on",
    response=AuditOut,
    permission=P.AUDIT_CONDUCT,
    tag=TAG,
)
def start_audit(actor: User, audit_id: int) -> AuditOut:
    return audit_model(audits.start_audit(db.session, actor, audit_id))


def _pdf(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@api.route(
    "/audits/<int:audit_id>/plan.pdf",
    summary="The audit plan as a PDF",
    response="Pdf",
    permission=P.AUDIT_READ_ALL,
    own=True,
    media_type="application/pdf",
    tag=TAG,
)
def audit_plan_pdf(actor: User, audit_id: int) -> Response:
    from qms.audits.pdf import audit_plan_pdf as render

    return _pdf(*render(db.session, actor, audit_id))


@api.route(
    "/audits/<int:audit_id>/report.pdf",
    summary="The audit report as a PDF, with its signatures",
    response="Pdf",
    permission=P.AUDIT_READ_ALL,
    own=True,
    media_type="application/pdf",
    tag=TAG,
)
def audit_report_pdf(actor: User, audit_id: int) -> Response:
    from qms.audits.pdf import audit_report_pdf as render

    return _pdf(*render(db.session, actor, audit_id))
