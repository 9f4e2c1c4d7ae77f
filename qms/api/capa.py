"""Nonconformities (clause 10.2) in the API: thin endpoints over qms.capa.services and treatment.

Visibility (hidden → 404), permissions, lifecycle guards (a step out of turn → 409) and trail
events are the services' own. The effectiveness check re-authenticates with the token owner's
password, as document signatures do.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.api.capa_schemas import (
    CAPA_SCHEMAS,
    action_as_dict,
    analysis_data_fits,
    check_as_dict,
    nonconformity_as_dict,
    summary_as_dict,
)
from qms.api.documents import parse_date
from qms.api.registry import Query
from qms.api.schemas import SCHEMAS
from qms.api.views import api
from qms.capa import services, treatment
from qms.capa.models import AnalysisMethod, NcState, Nonconformity, Severity
from qms.core.db import db
from qms.core.errors import DomainError, TooManyAttempts, ValidationFailed
from qms.core.permissions import Permission
from qms.core.web import commit_despite_error
from qms.documents.signing import SignatureRefused
from qms.users.models import User

P = Permission
TAG = "nonconformities"
_STATES = tuple(s.value for s in NcState)
_SEEN = (
    "All of them with `nonconformity:read_all`, those of the processes one leads with "
    "`nonconformity:read_own`, and always those one reported."
)

# Until qms.api.schemas spreads them like the document schemas, they join the document here,
# before any route names them; a name already taken by another schema is a mistake.
_TAKEN = [
    name for name in CAPA_SCHEMAS if SCHEMAS.get(name, CAPA_SCHEMAS[name]) is not CAPA_SCHEMAS[name]
]
if _TAKEN:
    raise RuntimeError(f"API schema names already taken: {', '.join(_TAKEN)}")
SCHEMAS.update(CAPA_SCHEMAS)


def _payload(nc: Nonconformity) -> dict[str, Any]:
    # Services add analyses, actions, checks and notes by id, not through the collections.
    db.session.expire(nc, ["analyses", "actions", "checks", "notes"])
    return nonconformity_as_dict(nc)


def _required_date(body: dict[str, Any], field: str) -> date:
    found = parse_date(body, field)
    if found is None:
        raise ValidationFailed(str(_l("This field is required.")), field=field)
    return found


# --- Reading -------------------------------------------------------------------------------


@api.route(
    "/nonconformities",
    summary="Nonconformities the token's owner may see, newest first",
    description=_SEEN,
    response="NonconformityList",
    permission=P.NONCONFORMITY_REPORT,
    params=[Query("state", "string", "Only those in this state.", enum=_STATES)],
)
def nonconformities(actor: User, state: str | None) -> dict[str, Any]:
    found = services.list_nonconformities(db.session, actor, state=state)
    return {"items": [summary_as_dict(nc) for nc in found]}


@api.route(
    "/nonconformities/<int:nc_id>",
    summary="One nonconformity: decision, containment, analyses, actions, checks, notes",
    description=_SEEN + " Action owners see the nonconformities of their actions.",
    response="Nonconformity",
    permission=P.NONCONFORMITY_REPORT,
)
def nonconformity(actor: User, nc_id: int) -> dict[str, Any]:
    return _payload(services.get_nonconformity(db.session, actor, nc_id))


# --- Reporting and deciding ----------------------------------------------------------------


@api.route(
    "/nonconformities",
    method="POST",
    summary="Report a nonconformity; it waits for acceptance",
    response="Nonconformity",
    permission=P.NONCONFORMITY_REPORT,
    body="NonconformityReport",
)
def report_nonconformity(actor: User, body: dict[str, Any]) -> dict[str, Any]:
    reported = services.report_nonconformity(
        db.session,
        actor,
        source=body["source"],
        process_id=body["process_id"],
        title=body["title"],
        description=body["description"],
        detected_on=_required_date(body, "detected_on"),
        detected_by=body.get("detected_by", ""),
        severity=body.get("severity", Severity.MINOR),
        document_id=body.get("document_id"),
        version_id=body.get("version_id"),
        iso_clause=body.get("iso_clause", ""),
    )
    return _payload(reported)


@api.route(
    "/nonconformities/<int:nc_id>/accept",
    method="POST",
    summary="Accept a reported nonconformity for treatment",
    response="Nonconformity",
    permission=P.NONCONFORMITY_DECIDE,
    own=True,
)
def accept_nonconformity(actor: User, nc_id: int) -> dict[str, Any]:
    return _payload(services.accept_nonconformity(db.session, actor, nc_id))


@api.route(
    "/nonconformities/<int:nc_id>/discard",
    method="POST",
    summary="Discard a reported nonconformity, with a reason: kept, never deleted",
    response="Nonconformity",
    permission=P.NONCONFORMITY_DECIDE,
    own=True,
    body="NonconformityDiscard",
)
def discard_nonconformity(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    return _payload(services.discard_nonconformity(db.session, actor, nc_id, body["reason"]))


@api.route(
    "/nonconformities/<int:nc_id>/contain",
    method="POST",
    summary="Record the containment or correction taken before any analysis",
    response="Nonconformity",
    permission=P.NONCONFORMITY_TREAT,
    own=True,
    body="Containment",
)
def contain_nonconformity(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    contained = services.contain_nonconformity(db.session, actor, nc_id, body["containment"])
    return _payload(contained)


# --- Treatment -----------------------------------------------------------------------------


@api.route(
    "/nonconformities/<int:nc_id>/analysis",
    method="POST",
    summary="Record the root-cause analysis (5 whys or Ishikawa), or why no action is needed",
    response="Nonconformity",
    permission=P.NONCONFORMITY_TREAT,
    own=True,
    body="Analysis",
)
def analyse_nonconformity(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    method, data = body.get("method", ""), body.get("data") or {}
    if (
        body["action_needed"]
        and method in set(AnalysisMethod)
        and not analysis_data_fits(method, data)
    ):
        message = _l("The data does not fit the method %(method)s.", method=method)
        raise ValidationFailed(str(message), field="data")
    analysis = treatment.analyse_nonconformity(
        db.session,
        actor,
        nc_id,
        action_needed=body["action_needed"],
        justification=body.get("justification", ""),
        method=method,
        data=data,
    )
    return _payload(analysis.nonconformity)


@api.route(
    "/nonconformities/<int:nc_id>/actions",
    method="POST",
    summary="Plan a corrective, preventive or improvement action of the current round",
    response="CapaActionChange",
    permission=P.NONCONFORMITY_TREAT,
    own=True,
    body="CapaActionCreate",
)
def add_capa_action(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    action = treatment.add_action(
        db.session,
        actor,
        nc_id,
        kind=body["kind"],
        description=body["description"],
        owner_id=body["owner_id"],
        due_on=_required_date(body, "due_on"),
        deliverable=body.get("deliverable", ""),
        change_request_id=body.get("change_request_id"),
    )
    return {"action": action_as_dict(action), "nonconformity": _payload(action.nonconformity)}


@api.route(
    "/nonconformities/<int:nc_id>/plan",
    method="POST",
    summary="Approve the action plan and set when and how effectiveness is checked",
    response="Nonconformity",
    permission=P.NONCONFORMITY_APPROVE_PLAN,
    body="PlanApproval",
)
def approve_capa_plan(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Without open actions (none was needed) the check is due at once."""
    approved = treatment.approve_plan(
        db.session,
        actor,
        nc_id,
        check_due_on=_required_date(body, "check_due_on"),
        check_criterion=body["check_criterion"],
    )
    return _payload(approved)


@api.route(
    "/capa-actions/<int:action_id>",
    method="PATCH",
    summary="Report an action's progress and evidence, or complete it",
    response="CapaActionChange",
    permission=P.CAPA_ACTION_UPDATE,
    own=True,
    body="CapaActionUpdate",
    tag=TAG,
)
def update_capa_action(actor: User, action_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """`done` needs evidence and, for an action tied to a change request, the new version in
    force. When the last open action is done the effectiveness check becomes due."""
    action = treatment.update_action(
        db.session,
        actor,
        action_id,
        progress=body.get("progress"),
        evidence=body.get("evidence"),
        done=bool(body.get("done", False)),
    )
    return {"action": action_as_dict(action), "nonconformity": _payload(action.nonconformity)}


@api.route(
    "/nonconformities/<int:nc_id>/effectiveness",
    method="POST",
    summary="Sign the effectiveness check; not effective reopens it for a new round",
    response="SignedCheck",
    permission=P.EFFECTIVENESS_SIGN,
    body="EffectivenessSign",
)
def sign_effectiveness(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    try:
        check = treatment.sign_effectiveness(
            db.session,
            actor,
            nc_id,
            result=body["result"],
            evidence=body["evidence"],
            password=body["password"],
        )
    except TooManyAttempts:
        commit_despite_error()  # the locked-out signer's refusal stays on record (429)
        raise
    except DomainError as error:
        if error.field != "password":
            raise
        # The service recorded the refused attempt: keep it, and answer as document signing.
        commit_despite_error()
        raise SignatureRefused(error.message, field="password") from None
    return {"check": check_as_dict(check), "nonconformity": _payload(check.nonconformity)}


@api.route(
    "/nonconformities/<int:nc_id>/close",
    method="POST",
    summary="Close: every action done and a signed check that says effective",
    response="Nonconformity",
    permission=P.NONCONFORMITY_CLOSE,
)
def close_nonconformity(actor: User, nc_id: int) -> dict[str, Any]:
    return _payload(treatment.close_nonconformity(db.session, actor, nc_id))


@api.route(
    "/nonconformities/<int:nc_id>/notes",
    method="POST",
    summary="Append a correction, with its reason, to a closed or discarded nonconformity",
    response="Nonconformity",
    permission=P.NONCONFORMITY_CLOSE,
    body="NonconformityNoteCreate",
)
def add_nonconformity_note(actor: User, nc_id: int, body: dict[str, Any]) -> dict[str, Any]:
    note = treatment.append_note(db.session, actor, nc_id, text=body["text"], reason=body["reason"])
    return _payload(services.get_nonconformity(db.session, actor, note.nonconformity_id))
