"""The nonconformity lifecycle as one table of transitions, applied by the workflow engine.

reported → accepted → contained → analysed → in progress → awaiting check → closed, with
discard (a reason) from reported and reopen (a check that says "not effective") back to
contained for a new round of analysis and actions. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.capa.models import ActionStatus, CheckResult, NcState, Nonconformity
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission
from qms.core.trail_actions import TrailAction
from qms.core.workflow import Rule, Workflow
from qms.trail import services as trail

S = NcState
P = Permission
OPEN_ACTION = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class NcAction(StrEnum):
    ACCEPT = "accept"
    DISCARD = "discard"
    CONTAIN = "contain"
    ANALYSE = "analyse"
    APPROVE_PLAN = "approve_plan"
    ACTIONS_DONE = "actions_done"
    CLOSE = "close"
    REOPEN = "reopen"


def has_containment(nc: Nonconformity, _actor: Any) -> None:
    if not (nc.containment or "").strip():
        raise ValidationFailed(
            str(_l("Record the containment or correction first.")), field="containment"
        )


def has_analysis(nc: Nonconformity, _actor: Any) -> None:
    if nc.current_analysis() is None:
        raise ValidationFailed(str(_l("Record the root-cause analysis first.")), field="analysis")


def plan_is_complete(nc: Nonconformity, _actor: Any) -> None:
    """Actions when the analysis asks for them; the check's date and criterion always."""
    analysis = nc.current_analysis()
    active = [a for a in nc.current_actions() if a.status != ActionStatus.CANCELLED]
    if analysis is not None and analysis.action_needed and not active:
        raise ValidationFailed(
            str(_l("Plan at least one action: the analysis says action is needed.")),
            field="actions",
        )
    if nc.check_due_on is None or not (nc.check_criterion or "").strip():
        raise ValidationFailed(
            str(_l("Set the date and the criterion of the effectiveness check.")),
            field="check_due_on",
        )


def actions_are_done(nc: Nonconformity, _actor: Any) -> None:
    if any(a.status in OPEN_ACTION for a in nc.current_actions()):
        raise Conflict(str(_l("Some actions are still open: it cannot close yet.")))


def check_says_effective(nc: Nonconformity, actor: Any) -> None:
    actions_are_done(nc, actor)
    checks = [c for c in nc.checks if c.round == nc.round]
    if not checks:
        raise Conflict(str(_l("The effectiveness check has not been signed yet.")))
    if checks[-1].result != CheckResult.EFFECTIVE:
        raise Conflict(str(_l("The effectiveness check says the actions were not effective.")))


TRANSITIONS: Mapping[tuple[str, str], Rule] = {
    (S.REPORTED, NcAction.ACCEPT): Rule(
        to=S.ACCEPTED,
        permission=P.NONCONFORMITY_DECIDE,
        trail_action=TrailAction.NONCONFORMITY_ACCEPT,
    ),
    (S.REPORTED, NcAction.DISCARD): Rule(
        to=S.DISCARDED,
        permission=P.NONCONFORMITY_DECIDE,
        trail_action=TrailAction.NONCONFORMITY_DISCARD,
        needs_reason=True,
    ),
    (S.ACCEPTED, NcAction.CONTAIN): Rule(
        to=S.CONTAINED,
        permission=P.NONCONFORMITY_TREAT,
        trail_action=TrailAction.NONCONFORMITY_CONTAIN,
        guard=has_containment,
    ),
    (S.CONTAINED, NcAction.ANALYSE): Rule(
        to=S.ANALYSED,
        permission=P.NONCONFORMITY_TREAT,
        trail_action=TrailAction.NONCONFORMITY_ANALYSE,
        guard=has_analysis,
    ),
    (S.ANALYSED, NcAction.APPROVE_PLAN): Rule(
        to=S.IN_PROGRESS,
        permission=P.NONCONFORMITY_APPROVE_PLAN,
        trail_action=TrailAction.NONCONFORMITY_APPROVE_PLAN,
        guard=plan_is_complete,
    ),
    (S.IN_PROGRESS, NcAction.ACTIONS_DONE): Rule(
        to=S.AWAITING_CHECK,
        permission=None,
        trail_action=TrailAction.NONCONFORMITY_ACTIONS_DONE,
        guard=actions_are_done,
    ),
    (S.AWAITING_CHECK, NcAction.CLOSE): Rule(
        to=S.CLOSED,
        permission=P.NONCONFORMITY_CLOSE,
        trail_action=TrailAction.NONCONFORMITY_CLOSE,
        guard=check_says_effective,
    ),
    (S.AWAITING_CHECK, NcAction.REOPEN): Rule(
        to=S.CONTAINED,
        permission=P.EFFECTIVENESS_SIGN,
        trail_action=TrailAction.NONCONFORMITY_REOPEN,
        needs_reason=True,
    ),
}


WORKFLOW = Workflow(
    TRANSITIONS,
    model=Nonconformity,
    object_type="nonconformity",
    describe=lambda n: {"code": n.code, "round": n.round},
    record=trail.record,
)
