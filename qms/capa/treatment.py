"""Treating a nonconformity: root-cause analysis, the action plan, actions, the signed
effectiveness check, closing, reopening and corrections appended after closing."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.capa.lifecycle import OPEN_ACTION, WORKFLOW, NcAction
from qms.capa.models import (
    ActionKind,
    ActionStatus,
    AnalysisMethod,
    CapaAction,
    CheckResult,
    EffectivenessCheck,
    NcState,
    Nonconformity,
    NonconformityNote,
    RootCauseAnalysis,
)
from qms.capa.services import get_nonconformity, required_text
from qms.core.db import rowcount, utcnow
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.documents.models import ChangeRequest, ChangeRequestState, DocumentVersion, VersionState
from qms.trail import services as trail
from qms.users.auth import reauthenticate_to_sign
from qms.users.models import User

P = Permission
S = NcState
CATEGORIES = ("method", "manpower", "machinery", "materials", "measurement", "environment")
TOOK_EFFECT = (VersionState.EFFECTIVE, VersionState.SUPERSEDED)


def _bad_data() -> ValidationFailed:
    return ValidationFailed(str(_l("The analysis could not be read.")), field="analysis")


def _index(value: Any, size: int) -> int:
    """A root-cause position inside the list, or a clear error (never a 500)."""
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise _bad_data()
    index = int(value)
    if not 0 <= index < size:
        raise ValidationFailed(str(_l("A marked root cause does not exist.")), field="analysis")
    return index


def _texts(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad_data()
    return [v.strip() for v in value]


def _clean_analysis(method: str, data: Any) -> tuple[dict[str, Any], str]:
    """The method's data, normalised, and the chosen root causes as text."""
    if not isinstance(data, dict):
        raise _bad_data()
    marked = data.get("root_causes") or []
    if not isinstance(marked, list):
        raise _bad_data()
    if method == AnalysisMethod.FIVE_WHYS:
        whys = _texts(data.get("whys") or [])
        if not all(whys) or not whys:
            raise ValidationFailed(str(_l("Write at least one why.")), field="analysis")
        why_roots = sorted({_index(i, len(whys)) for i in marked}) or [len(whys) - 1]
        return {"whys": whys, "root_causes": why_roots}, "\n".join(whys[i] for i in why_roots)
    if method == AnalysisMethod.ISHIKAWA:
        raw = data.get("causes") or {}
        if not isinstance(raw, dict) or set(raw) - set(CATEGORIES):
            raise _bad_data()
        causes = {c: [t for t in _texts(raw.get(c) or []) if t] for c in CATEGORIES}
        if not any(causes.values()):
            raise ValidationFailed(str(_l("Write at least one cause.")), field="analysis")
        roots: set[tuple[str, int]] = set()
        for pair in marked:
            if not isinstance(pair, list | tuple) or len(pair) != 2 or pair[0] not in causes:
                raise _bad_data()
            roots.add((pair[0], _index(pair[1], len(causes[pair[0]]))))
        if not roots:
            raise ValidationFailed(str(_l("Mark the root cause or causes.")), field="analysis")
        chosen = sorted(roots)
        text = "\n".join(causes[c][i] for c, i in chosen)
        return {"causes": causes, "root_causes": [list(r) for r in chosen]}, text
    raise ValidationFailed(str(_l("Choose 5 whys or Ishikawa.")), field="method")


def analyse_nonconformity(
    session: Session,
    actor: Any,
    nc_id: int,
    *,
    action_needed: bool,
    justification: str = "",
    method: str = "",
    data: dict[str, Any] | None = None,
) -> RootCauseAnalysis:
    """Decide whether corrective action is needed (why not, if not) and record the analysis."""
    nc = get_nonconformity(session, actor, nc_id)
    require(actor, P.NONCONFORMITY_TREAT, nc)
    if nc.state != S.CONTAINED:
        raise Conflict(str(_l("This action is not possible in the current state; reload.")))
    clean: dict[str, Any] = {}
    root_text = ""
    if action_needed:
        clean, root_text = _clean_analysis(method, data or {})
    else:
        justification = required_text(
            justification, "justification", _l("Say why no corrective action is needed.")
        )
        method = ""
    analysis = RootCauseAnalysis(
        nonconformity_id=nc.id,
        round=nc.round,
        action_needed=action_needed,
        justification=(justification or "").strip(),
        method=method,
        data=clean,
        root_cause=root_text,
        analysed_by_id=actor.id,
    )
    session.add(analysis)
    session.flush()
    session.refresh(nc)
    WORKFLOW.apply(
        session,
        nc,
        NcAction.ANALYSE,
        actor,
        details={"action_needed": action_needed, "method": method, "root_cause": root_text},
    )
    return analysis


def _owner(session: Session, owner_id: int) -> User:
    owner = session.get(User, owner_id)
    if owner is None or not owner.active:
        raise ValidationFailed(str(_l("Choose an active user as owner.")), field="owner_id")
    return owner


def add_action(
    session: Session,
    actor: Any,
    nc_id: int,
    *,
    kind: str,
    description: str,
    owner_id: int,
    due_on: date,
    deliverable: str = "",
    change_request_id: int | None = None,
) -> CapaAction:
    """An action of the current round, planned while the nonconformity is analysed."""
    nc = get_nonconformity(session, actor, nc_id)
    require(actor, P.NONCONFORMITY_TREAT, nc)
    if nc.state != S.ANALYSED:
        raise Conflict(str(_l("Actions are planned once the analysis is recorded.")))
    if kind not in set(ActionKind):
        raise ValidationFailed(str(_l("Choose the kind of action.")), field="kind")
    owner = _owner(session, owner_id)
    if change_request_id is not None and session.get(ChangeRequest, change_request_id) is None:
        raise ValidationFailed(
            str(_l("Choose an existing change request.")), field="change_request_id"
        )
    action = CapaAction(
        nonconformity_id=nc.id,
        round=nc.round,
        kind=kind,
        description=required_text(description, "description", _l("Describe the action.")),
        owner_id=owner.id,
        due_on=due_on,
        deliverable=(deliverable or "").strip(),
        change_request_id=change_request_id,
        created_by_id=actor.id,
    )
    session.add(action)
    session.flush()
    trail.record(
        session,
        TrailAction.CAPA_ACTION_CREATE,
        "capa_action",
        action.id,
        actor=actor,
        after={
            "nonconformity": nc.code,
            "kind": kind,
            "owner": owner.username,
            "due_on": due_on.isoformat(),
            "change_request": change_request_id,
        },
    )
    return action


def approve_plan(
    session: Session, actor: Any, nc_id: int, *, check_due_on: date, check_criterion: str
) -> Nonconformity:
    """The quality lead approves the actions and sets when and how effectiveness is checked."""
    nc = get_nonconformity(session, actor, nc_id)
    criterion = required_text(
        check_criterion, "check_criterion", _l("Say how effectiveness is judged.")
    )
    nc.check_due_on, nc.check_criterion = check_due_on, criterion  # read by the guard
    WORKFLOW.apply(
        session,
        nc,
        NcAction.APPROVE_PLAN,
        actor,
        values={"check_due_on": check_due_on, "check_criterion": criterion},
        details={"check_due_on": check_due_on.isoformat()},
    )
    if not any(a.status in OPEN_ACTION for a in nc.current_actions()):
        WORKFLOW.apply(session, nc, NcAction.ACTIONS_DONE, None)
    return nc


def _get_action(session: Session, actor: Any, action_id: int) -> CapaAction:
    action = session.get(CapaAction, action_id)
    if action is None:
        raise NotFound(str(_l("Action not found.")))
    get_nonconformity(session, actor, action.nonconformity_id)
    require(actor, P.CAPA_ACTION_UPDATE, action)
    return action


def change_request_done(session: Session, request: ChangeRequest) -> bool:
    """The change the action asked for is real: the resulting version took effect."""
    if request.state != ChangeRequestState.ACCEPTED:
        return False
    if request.kind == "withdraw":
        in_force = sa.select(DocumentVersion.id).where(
            DocumentVersion.document_id == request.document_id,
            DocumentVersion.state == VersionState.EFFECTIVE,
        )
        return session.scalar(in_force) is None
    took_effect = sa.select(DocumentVersion.id).where(
        DocumentVersion.change_request_id == request.id, DocumentVersion.state.in_(TOOK_EFFECT)
    )
    return session.scalar(took_effect) is not None


def update_action(
    session: Session,
    actor: Any,
    action_id: int,
    *,
    progress: int | None = None,
    evidence: str | None = None,
    done: bool = False,
) -> CapaAction:
    """Progress and evidence from the owner; done only with evidence and, when the action
    asked for a document change, only once the new version is in force."""
    action = _get_action(session, actor, action_id)
    nc = action.nonconformity
    if nc.state != S.IN_PROGRESS or action.status not in OPEN_ACTION:
        raise Conflict(str(_l("This action can no longer be updated.")))
    values: dict[str, Any] = {"status": ActionStatus.IN_PROGRESS}
    if progress is not None:
        if not 0 <= progress <= 100:
            raise ValidationFailed(str(_l("Progress is between 0 and 100.")), field="progress")
        values["progress"] = progress
    if evidence is not None:
        values["evidence"] = evidence.strip()
    if done:
        if not (values.get("evidence", action.evidence) or "").strip():
            raise ValidationFailed(str(_l("Attach or describe the evidence.")), field="evidence")
        request = session.get(ChangeRequest, action.change_request_id or 0)
        if request is not None and not change_request_done(session, request):
            raise Conflict(
                str(_l("The document change this action asked for is not in force yet."))
            )
        values |= {"status": ActionStatus.DONE, "progress": 100, "completed_at": utcnow()}
    before = action.status
    updated = session.execute(
        sa.update(CapaAction)
        .where(CapaAction.id == action.id, CapaAction.status == before)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(updated) != 1:
        raise Conflict(str(_l("Someone else changed this meanwhile; reload and try again.")))
    session.refresh(action)
    trail.record(
        session,
        TrailAction.CAPA_ACTION_COMPLETE if done else TrailAction.CAPA_ACTION_UPDATE,
        "capa_action",
        action.id,
        actor=actor,
        before={"status": before},
        after={"status": action.status, "progress": action.progress, "nonconformity": nc.code},
    )
    session.refresh(nc)
    if done and not any(a.status in OPEN_ACTION for a in nc.current_actions()):
        WORKFLOW.apply(session, nc, NcAction.ACTIONS_DONE, None)
    return action


def _reauthenticate(session: Session, actor: Any, nc: Nonconformity, password: str) -> None:
    """The signer's password again (`reauthenticate_to_sign`)."""
    reauthenticate_to_sign(
        session,
        actor,
        password,
        object_type="nonconformity",
        object_id=nc.id,
        details={"meaning": "effectiveness", "code": nc.code},
    )


def sign_effectiveness(
    session: Session, actor: Any, nc_id: int, *, result: str, evidence: str, password: str
) -> EffectivenessCheck:
    """A quality lead's signed check; "not effective" reopens the nonconformity."""
    nc = get_nonconformity(session, actor, nc_id)
    require(actor, P.EFFECTIVENESS_SIGN, nc)
    if nc.state != S.AWAITING_CHECK:
        raise Conflict(str(_l("The effectiveness check is due once every action is done.")))
    if result not in set(CheckResult):
        raise ValidationFailed(str(_l("Choose effective or not effective.")), field="result")
    text = required_text(evidence, "evidence", _l("Give the evidence of the result."))
    _reauthenticate(session, actor, nc, password)
    check = EffectivenessCheck(
        nonconformity_id=nc.id,
        round=nc.round,
        result=result,
        evidence=text,
        signed_by_id=actor.id,
        printed_name=actor.full_name,
        job_title=actor.job_title or "",
    )
    session.add(check)
    session.flush()
    trail.record(
        session,
        TrailAction.EFFECTIVENESS_SIGN,
        "nonconformity",
        nc.id,
        actor=actor,
        after={"code": nc.code, "round": nc.round, "result": result},
    )
    session.refresh(nc)
    if result == CheckResult.NOT_EFFECTIVE:
        WORKFLOW.apply(
            session,
            nc,
            NcAction.REOPEN,
            actor,
            reason=text,
            values={"round": nc.round + 1, "check_due_on": None, "check_criterion": ""},
        )
    return check


def close_nonconformity(session: Session, actor: Any, nc_id: int) -> Nonconformity:
    """Closing is refused at each gate: open actions, no check, a check that says not effective."""
    nc = get_nonconformity(session, actor, nc_id)
    require(actor, P.NONCONFORMITY_CLOSE, nc)
    if nc.state == S.IN_PROGRESS:
        raise Conflict(str(_l("Some actions are still open: it cannot close yet.")))
    WORKFLOW.apply(session, nc, NcAction.CLOSE, actor, values={"closed_at": utcnow()})
    return nc


def append_note(
    session: Session, actor: Any, nc_id: int, *, text: str, reason: str
) -> NonconformityNote:
    """A closed nonconformity is read-only: a later correction is appended, with its reason."""
    nc = get_nonconformity(session, actor, nc_id)
    require(actor, P.NONCONFORMITY_CLOSE, nc)
    if nc.state not in (S.CLOSED, S.DISCARDED):
        raise Conflict(str(_l("Notes are appended to closed nonconformities; edit it instead.")))
    note = NonconformityNote(
        nonconformity_id=nc.id,
        text=required_text(text, "text", _l("Write the correction.")),
        reason=required_text(reason, "reason", _l("Give a reason.")),
        author_id=actor.id,
    )
    session.add(note)
    session.flush()
    trail.record(
        session,
        TrailAction.NONCONFORMITY_NOTE,
        "nonconformity",
        nc.id,
        actor=actor,
        after={"code": nc.code, "text": note.text},
        reason=note.reason,
    )
    return note
