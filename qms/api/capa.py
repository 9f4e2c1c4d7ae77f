"""Nonconformities (clause 10.2) in the API: thin endpoints over qms.capa.services and treatment.

Visibility (hidden → 404), permissions, lifecycle guards (a step out of turn → 409) and trail
events are the services' own. The effectiveness check re-authenticates with the token owner's
password, as document signatures do.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from qms.api.blueprint import api
from qms.api.capa_analysis_data import analysis_data_fits
from qms.api.dates import required_date
from qms.api.models.capa import CapaAction as ActionOut
from qms.api.models.capa import (
    CapaActionChange,
    NonconformityList,
    NonconformitySummary,
    SignedCheck,
)
from qms.api.models.capa import EffectivenessCheck as CheckOut
from qms.api.models.capa import Nonconformity as NcOut
from qms.api.models.capa_bodies import (
    Analysis,
    CapaActionCreate,
    CapaActionUpdate,
    Containment,
    EffectivenessSign,
    NonconformityDiscard,
    NonconformityNoteCreate,
    NonconformityReport,
    PlanApproval,
)
from qms.api.registry import Query
from qms.capa import services, treatment
from qms.capa.models import AnalysisMethod, CapaAction, NcState, Nonconformity
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission
from qms.users.models import User

P = Permission
TAG = "nonconformities"
_STATES = tuple(s.value for s in NcState)
_SEEN = (
    "All of them with `nonconformity:read_all`, those of the processes one leads with "
    "`nonconformity:read_own`, and always those one reported."
)


def nc_model(nc: Nonconformity) -> NcOut:
    # Services add analyses, actions, checks and notes by id, not through the collections.
    db.session.expire(nc, ["analyses", "actions", "checks", "notes"])
    return NcOut.of(nc)


def _action_change(action: CapaAction) -> CapaActionChange:
    return CapaActionChange(
        action=ActionOut.of(action), nonconformity=nc_model(action.nonconformity)
    )


# --- Reading -------------------------------------------------------------------------------


@api.route(
    "/nonconformities",
    summary="Nonconformities the token's owner may see, newest first",
    description=_SEEN,
    response=NonconformityList,
    permission=P.NONCONFORMITY_REPORT,
    params=[Query("state", "string", "Only those in this state.", enum=_STATES)],
)
def nonconformities(actor: User, state: str | None) -> NonconformityList:
    found = services.list_nonconformities(db.session, actor, state=state)
    return NonconformityList(items=[NonconformitySummary.of(nc) for nc in found])


@api.route(
    "/nonconformities/<int:nc_id>",
    summary="One nonconformity: decision, containment, analyses, actions, checks, notes",
    description=_SEEN + " Action owners see the nonconformities of their actions.",
    response=NcOut,
    permission=P.NONCONFORMITY_REPORT,
)
def nonconformity(actor: User, nc_id: int) -> NcOut:
    return nc_model(services.get_nonconformity(db.session, actor, nc_id))


# --- Reporting and deciding ----------------------------------------------------------------


@api.route(
    "/nonconformities",
    method="POST",
    summary="Report a nonconformity; it waits for acceptance",
    response=NcOut,
    permission=P.NONCONFORMITY_REPORT,
    body=NonconformityReport,
)
def report_nonconformity(actor: User, body: NonconformityReport) -> NcOut:
    reported = services.report_nonconformity(
        db.session,
        actor,
        source=body.source,
        process_id=body.process_id,
        title=body.title,
        description=body.description,
        detected_on=required_date(body, "detected_on"),
        detected_by=body.detected_by,
        severity=body.severity,
        document_id=body.document_id,
        version_id=body.version_id,
        iso_clause=body.iso_clause,
    )
    return nc_model(reported)


@api.route(
    "/nonconformities/<int:nc_id>/accept",
    method="POST",
    summary="Accept a reported nonconformity for treatment",
    response=NcOut,
    permission=P.NONCONFORMITY_DECIDE,
    own=True,
)
def accept_nonconformity(actor: User, nc_id: int) -> NcOut:
    return nc_model(services.accept_nonconformity(db.session, actor, nc_id))


@api.route(
    "/nonconformities/<int:nc_id>/discard",
    method="POST",
    summary="Discard a reported nonconformity, with a reason: kept, never deleted",
    response=NcOut,
    permission=P.NONCONFORMITY_DECIDE,
    own=True,
    body=NonconformityDiscard,
)
def discard_nonconformity(actor: User, nc_id: int, body: NonconformityDiscard) -> NcOut:
    return nc_model(services.discard_nonconformity(db.session, actor, nc_id, body.reason))


@api.route(
    "/nonconformities/<int:nc_id>/contain",
    method="POST",
    summary="Record the containment or correction taken before any analysis",
    response=NcOut,
    permission=P.NONCONFORMITY_TREAT,
    own=True,
    body=Containment,
)
def contain_nonconformity(actor: User, nc_id: int, body: Containment) -> NcOut:
    contained = services.contain_nonconformity(db.session, actor, nc_id, body.containment)
    return nc_model(contained)


# --- Treatment -----------------------------------------------------------------------------


@api.route(
    "/nonconformities/<int:nc_id>/analysis",
    method="POST",
    summary="Record the root-cause analysis (5 whys or Ishikawa), or why no action is needed",
    response=NcOut,
    permission=P.NONCONFORMITY_TREAT,
    own=True,
    body=Analysis,
)
def analyse_nonconformity(actor: User, nc_id: int, body: Analysis) -> NcOut:
    method, data = body.method or "", body.data or {}
    if (
        body.action_needed
        and method in set(AnalysisMethod)
        and not analysis_data_fits(method, data)
    ):
        message = _l("The data does not fit the method %(method)s.", method=method)
        raise ValidationFailed(str(message), field="data")
    analysis = treatment.analyse_nonconformity(
        db.session,
        actor,
        nc_id,
        action_needed=body.action_needed,
        justification=body.justification,
        method=method,
        data=data,
    )
    return nc_model(analysis.nonconformity)


@api.route(
    "/nonconformities/<int:nc_id>/actions",
    method="POST",
    summary="Plan a corrective, preventive or improvement action of the current round",
    response=CapaActionChange,
    permission=P.NONCONFORMITY_TREAT,
    own=True,
    body=CapaActionCreate,
)
def add_capa_action(actor: User, nc_id: int, body: CapaActionCreate) -> CapaActionChange:
    action = treatment.add_action(
        db.session,
        actor,
        nc_id,
        kind=body.kind,
        description=body.description,
        owner_id=body.owner_id,
        due_on=required_date(body, "due_on"),
        deliverable=body.deliverable,
        change_request_id=body.change_request_id,
    )
    return _action_change(action)


@api.route(
    "/nonconformities/<int:nc_id>/plan",
    method="POST",
    summary="Approve the action plan and set when and how effectiveness is checked",
    response=NcOut,
    permission=P.NONCONFORMITY_APPROVE_PLAN,
    body=PlanApproval,
)
def approve_capa_plan(actor: User, nc_id: int, body: PlanApproval) -> NcOut:
    """Without open actions (none was needed) the check is due at once."""
    approved = treatment.approve_plan(
        db.session,
        actor,
        nc_id,
        check_due_on=required_date(body, "check_due_on"),
        check_criterion=body.check_criterion,
    )
    return nc_model(approved)


@api.route(
    "/capa-actions/<int:action_id>",
    method="PATCH",
    summary="Report an action's progress and evidence, or complete it",
    response=CapaActionChange,
    permission=P.CAPA_ACTION_UPDATE,
    own=True,
    body=CapaActionUpdate,
    tag=TAG,
)
def update_capa_action(actor: User, action_id: int, body: CapaActionUpdate) -> CapaActionChange:
    """`done` needs evidence and, for an action tied to a change request, the new version in
    force. When the last open action is done the effectiveness check becomes due."""
    action = treatment.update_action(
        db.session,
        actor,
        action_id,
        progress=body.progress,
        evidence=body.evidence,
        done=body.done,
    )
    return _action_change(action)


@api.route(
    "/nonconformities/<int:nc_id>/effectiveness",
    method="POST",
    summary="Sign the effectiveness check; not effective reopens it for a new round",
    response=SignedCheck,
    permission=P.EFFECTIVENESS_SIGN,
    body=EffectivenessSign,
)
def sign_effectiveness(actor: User, nc_id: int, body: EffectivenessSign) -> SignedCheck:
    # A wrong password (403) or a lockout (429) is a recorded error: its trail event is kept.
    check = treatment.sign_effectiveness(
        db.session,
        actor,
        nc_id,
        result=body.result,
        evidence=body.evidence,
        password=body.password,
    )
    return SignedCheck(check=CheckOut.of(check), nonconformity=nc_model(check.nonconformity))


@api.route(
    "/nonconformities/<int:nc_id>/close",
    method="POST",
    summary="Close: every action done and a signed check that says effective",
    response=NcOut,
    permission=P.NONCONFORMITY_CLOSE,
)
def close_nonconformity(actor: User, nc_id: int) -> NcOut:
    return nc_model(treatment.close_nonconformity(db.session, actor, nc_id))


@api.route(
    "/nonconformities/<int:nc_id>/notes",
    method="POST",
    summary="Append a correction, with its reason, to a closed or discarded nonconformity",
    response=NcOut,
    permission=P.NONCONFORMITY_CLOSE,
    body=NonconformityNoteCreate,
)
def add_nonconformity_note(actor: User, nc_id: int, body: NonconformityNoteCreate) -> NcOut:
    note = treatment.append_note(db.session, actor, nc_id, text=body.text, reason=body.reason)
    return nc_model(services.get_nonconformity(db.session, actor, note.nonconformity_id))
