"""Treatment steps of a nonconformity, on the `capa` blueprint: root-cause analysis, actions,
the plan's approval, action updates, the signed effectiveness check, closing and notes."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.capa import treatment
from qms.capa.diagrams import CATEGORIES
from qms.capa.forms import (
    ActionForm,
    ActionUpdateForm,
    AnalysisForm,
    CloseForm,
    EffectivenessForm,
    NoteForm,
    PlanForm,
)
from qms.capa.models import AnalysisMethod, CheckResult, Nonconformity
from qms.capa.urls import capa_bp as bp
from qms.capa.views import active_users, step
from qms.core.db import db
from qms.core.errors import NotFound
from qms.core.forms import unique_ids
from qms.core.permissions import Permission, permission_required, require

P = Permission


@bp.post("/<int:nc_id>/analyse")
@permission_required(P.NONCONFORMITY_TREAT, own=True)
def analyse(nc_id: int) -> ResponseReturnValue:
    form = AnalysisForm()
    needed = form.needed()
    method = (form.method.data or "") if needed else ""

    def call(nc: Nonconformity) -> None:
        # Refuse before reading the causes, so that a reader without the right sees a 403.
        require(current_user, P.NONCONFORMITY_TREAT, nc)
        treatment.analyse_nonconformity(
            db.session,
            current_user,
            nc.id,
            action_needed=needed,
            justification=form.justification.data or "",
            method=method,
            data=form.analysis_data() if needed else None,
        )

    target = "why_1"
    if method == AnalysisMethod.ISHIKAWA:
        any_cause = any((form[f"cause_{key}"].data or "").strip() for key in CATEGORIES)
        target = "ishikawa_roots" if any_cause else "cause_method"
    return step(
        nc_id,
        "analysis_form",
        form,
        call,
        _("Analysis recorded."),
        aliases={"analysis": target},
    )


@bp.post("/<int:nc_id>/actions")
@permission_required(P.NONCONFORMITY_TREAT, own=True)
def add_action(nc_id: int) -> ResponseReturnValue:
    form = ActionForm()
    form.set_owners(active_users())
    return step(
        nc_id,
        "action_form",
        form,
        lambda nc: treatment.add_action(
            db.session,
            current_user,
            nc.id,
            kind=form.kind.data or "",
            description=form.description.data or "",
            owner_id=form.owner_id.data or 0,
            due_on=form.due_on.data,
            deliverable=form.deliverable.data or "",
            change_request_id=form.change_request_id.data,
        ),
        _("Action added to the plan."),
    )


@bp.post("/<int:nc_id>/approve-plan")
@permission_required(P.NONCONFORMITY_APPROVE_PLAN)
def approve_plan(nc_id: int) -> ResponseReturnValue:
    form = PlanForm()
    return step(
        nc_id,
        "plan_form",
        form,
        lambda nc: treatment.approve_plan(
            db.session,
            current_user,
            nc.id,
            check_due_on=form.check_due_on.data,
            check_criterion=form.check_criterion.data or "",
        ),
        _("Action plan approved."),
    )


@bp.post("/<int:nc_id>/actions/<int:action_id>/update")
@permission_required(P.CAPA_ACTION_UPDATE, own=True)
def update_action(nc_id: int, action_id: int) -> ResponseReturnValue:
    form = unique_ids(ActionUpdateForm(), str(action_id))

    def call(nc: Nonconformity) -> None:
        if not any(action.id == action_id for action in nc.actions):
            raise NotFound(_("Action not found."))
        treatment.update_action(
            db.session,
            current_user,
            action_id,
            progress=form.progress.data,
            evidence=form.evidence.data,
            done=bool(form.done.data),
        )

    return step(nc_id, f"update_{action_id}", form, call, _("Action updated."))


@bp.post("/<int:nc_id>/effectiveness")
@permission_required(P.EFFECTIVENESS_SIGN)
def sign_effectiveness(nc_id: int) -> ResponseReturnValue:
    form = EffectivenessForm()
    effective = form.result.data == CheckResult.EFFECTIVE
    done = (
        _("Effectiveness check signed.")
        if effective
        else _("Effectiveness check signed: not effective. A new round of analysis starts.")
    )
    return step(
        nc_id,
        "check_form",
        form,
        lambda nc: treatment.sign_effectiveness(
            db.session,
            current_user,
            nc.id,
            result=form.result.data or "",
            evidence=form.evidence.data or "",
            password=form.password.data or "",
        ),
        done,
    )


@bp.post("/<int:nc_id>/close")
@permission_required(P.NONCONFORMITY_CLOSE)
def close(nc_id: int) -> ResponseReturnValue:
    return step(
        nc_id,
        "close_form",
        CloseForm(),
        lambda nc: treatment.close_nonconformity(db.session, current_user, nc.id),
        _("Nonconformity closed."),
    )


@bp.post("/<int:nc_id>/notes")
@permission_required(P.NONCONFORMITY_CLOSE)
def append_note(nc_id: int) -> ResponseReturnValue:
    form = NoteForm()
    return step(
        nc_id,
        "note_form",
        form,
        lambda nc: treatment.append_note(
            db.session,
            current_user,
            nc.id,
            text=form.text.data or "",
            reason=form.reason.data or "",
        ),
        _("Note appended."),
    )
