"""Changing the process map: create, edit, members, (de)activate. Each writes a trail event."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.processes.models import Process, ProcessType
from qms.processes.queries import process_as_dict
from qms.trail import services as trail
from qms.users.models import User

# Dots too: Colombian process maps write codes such as "O.BP" (operational, good practice).
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,19}$")


class _Unchanged:
    """Marks a keyword the caller did not pass, so `None` can still mean "clear it"."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


def _load(session: Session, process_id: int) -> Process:
    process = session.get(Process, process_id)
    if process is None:
        raise NotFound(str(_l("Process not found.")))
    return process


def find_process(session: Session, code: str) -> Process | None:
    return session.scalar(sa.select(Process).where(Process.code == (code or "").strip().upper()))


def _clean_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            str(_l("Codes use 1–20 uppercase letters, digits, '.' or '-'.")), field="code"
        )
    return code


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(str(_l("The name is required.")), field="name")
    if len(name) > 200:
        raise ValidationFailed(str(_l("The name is too long.")), field="name")
    return name


def _clean_type(value: str) -> str:
    try:
        return ProcessType(value).value
    except ValueError:
        raise ValidationFailed(str(_l("Unknown process type.")), field="type") from None


def _check_parent(session: Session, parent_id: int | None, process: Process | None) -> None:
    """The parent exists, is active and is neither the process nor one of its descendants."""
    if parent_id is None:
        return
    parent = session.get(Process, parent_id)
    if parent is None or not parent.active:
        raise ValidationFailed(
            str(_l("The macro-process must be an active process.")), field="parent_id"
        )
    if process is None:
        return
    ancestor: Process | None = parent
    seen: set[int] = set()
    while ancestor is not None and ancestor.id not in seen:
        if ancestor.id == process.id:
            raise ValidationFailed(
                str(_l("A process cannot sit under itself or one of its sub-processes.")),
                field="parent_id",
            )
        seen.add(ancestor.id)
        ancestor = ancestor.parent


def _check_leader(session: Session, leader_id: int | None) -> None:
    if leader_id is None:
        return
    leader = session.get(User, leader_id)
    if leader is None or not leader.active:
        raise ValidationFailed(str(_l("The leader must be an active user.")), field="leader_id")


def _members(session: Session, member_ids: Iterable[int], current: Iterable[User]) -> list[User]:
    """The users for `member_ids`; newly added ones must be active (current ones may stay)."""
    wanted = {int(i) for i in member_ids}
    if not wanted:
        return []
    users = list(session.scalars(sa.select(User).where(User.id.in_(wanted))))
    current_ids = {u.id for u in current}
    if len(users) != len(wanted) or any(not u.active and u.id not in current_ids for u in users):
        raise ValidationFailed(str(_l("Members must be active users.")), field="member_ids")
    return sorted(users, key=lambda u: u.username)


def create_process(
    session: Session,
    actor: Any,
    *,
    code: str,
    name: str,
    type: str,
    objective: str = "",
    parent_id: int | None = None,
    leader_id: int | None = None,
    member_ids: Iterable[int] = (),
    bypass_permission: bool = False,
) -> Process:
    """Add a process to the map. `bypass_permission` is for the CLI run by the operator."""
    if not bypass_permission:
        require(actor, Permission.PROCESS_MANAGE)
    code = _clean_code(code)
    name = _clean_name(name)
    type_ = _clean_type(type)
    _check_parent(session, parent_id, None)
    _check_leader(session, leader_id)
    members = _members(session, member_ids, ())
    if find_process(session, code) is not None:
        raise Conflict(str(_l("The code %(code)s is taken.", code=code)), field="code")
    process = Process(
        code=code,
        name=name,
        type=type_,
        objective=(objective or "").strip(),
        parent_id=parent_id,
        leader_id=leader_id,
    )
    process.members = members
    session.add(process)
    session.flush()
    trail.record(
        session,
        TrailAction.PROCESS_CREATE,
        "process",
        process.id,
        actor=actor,
        after=_snapshot(process),
    )
    return process


def update_process(
    session: Session,
    actor: Any,
    process_id: int,
    *,
    name: str,
    objective: str,
    member_ids: Iterable[int] | None = None,
    type: str = UNCHANGED,
    parent_id: int | None = UNCHANGED,
    leader_id: int | None = UNCHANGED,
) -> Process:
    """Edit a process. Its leader may change name, objective and members; the rest needs
    PROCESS_MANAGE. The code never changes: documents carry it."""
    process = _load(session, process_id)
    require(actor, Permission.PROCESS_MANAGE, process)
    restricted = {
        "type": (type, process.type),
        "parent_id": (parent_id, process.parent_id),
        "leader_id": (leader_id, process.leader_id),
    }
    if any(new is not UNCHANGED and new != old for new, old in restricted.values()):
        require(actor, Permission.PROCESS_MANAGE)
    before = _snapshot(process)
    process.name = _clean_name(name)
    process.objective = (objective or "").strip()
    if type is not UNCHANGED:
        process.type = _clean_type(type)
    if parent_id is not UNCHANGED and parent_id != process.parent_id:
        _check_parent(session, parent_id, process)
        process.parent_id = parent_id
    if leader_id is not UNCHANGED and leader_id != process.leader_id:
        _check_leader(session, leader_id)
        process.leader_id = leader_id
    if member_ids is not None:
        process.members = _members(session, member_ids, process.members)
    session.flush()
    # The relationship still points at the old parent until expired.
    session.expire(process, ["parent"])
    old, new = trail.changes(before, _snapshot(process))
    if new:
        trail.record(
            session,
            TrailAction.PROCESS_UPDATE,
            "process",
            process.id,
            actor=actor,
            before=old,
            after=new,
        )
    return process


def set_members(
    session: Session, actor: Any, process_id: int, member_ids: Iterable[int]
) -> Process:
    """Replace the members of a process; its leader may do this too."""
    process = _load(session, process_id)
    require(actor, Permission.PROCESS_MANAGE, process)
    before = sorted(u.id for u in process.members)
    process.members = _members(session, member_ids, process.members)
    after = sorted(u.id for u in process.members)
    session.flush()
    if before != after:
        trail.record(
            session,
            TrailAction.PROCESS_MEMBERS,
            "process",
            process.id,
            actor=actor,
            before={"member_ids": before},
            after={"member_ids": after},
        )
    return process


def set_process_active(
    session: Session, actor: Any, process_id: int, active: bool, reason: str = ""
) -> Process:
    """Deactivate (with a reason) or reactivate; processes are never deleted."""
    require(actor, Permission.PROCESS_MANAGE)
    process = _load(session, process_id)
    if process.active == active:
        return process
    reason = (reason or "").strip()
    if not active:
        if not reason:
            raise ValidationFailed(str(_l("Say why the process is deactivated.")), field="reason")
        if any(child.active for child in process.children):
            raise ValidationFailed(
                str(_l("Deactivate or move its sub-processes first.")), field="reason"
            )
    elif process.parent is not None and not process.parent.active:
        raise ValidationFailed(str(_l("Reactivate its macro-process first.")))
    process.active = active
    session.flush()
    trail.record(
        session,
        TrailAction.PROCESS_ACTIVATE if active else TrailAction.PROCESS_DEACTIVATE,
        "process",
        process.id,
        actor=actor,
        before={"active": not active},
        after={"active": active},
        reason=reason,
    )
    return process


def _snapshot(process: Process) -> dict[str, Any]:
    values = process_as_dict(process)
    values.pop("id")
    return values
