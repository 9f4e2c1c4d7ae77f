"""Reading the process map; every read goes through the permissions filter."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import NotFound
from qms.core.permissions import Permission, filter_allowed
from qms.processes.models import Process, process_members


def list_processes(
    session: Session, actor: Any, *, include_inactive: bool = False, type: str | None = None
) -> list[Process]:
    stmt = sa.select(Process).order_by(Process.code)
    stmt = filter_allowed(stmt, actor, Permission.PROCESS_READ, Process)
    if not include_inactive:
        stmt = stmt.where(Process.active.is_(True))
    if type:
        stmt = stmt.where(Process.type == type)
    return list(session.scalars(stmt))


def get_process(session: Session, actor: Any, process_id: int) -> Process:
    """The process, or NotFound when it does not exist or the actor may not see it."""
    stmt = filter_allowed(
        sa.select(Process).where(Process.id == process_id), actor, Permission.PROCESS_READ, Process
    )
    process = session.scalar(stmt)
    if process is None:
        raise NotFound(str(_l("Process not found.")))
    return process


def process_as_dict(process: Process) -> dict[str, Any]:
    """Plain values for the API and the trail."""
    return {
        "id": process.id,
        "code": process.code,
        "name": process.name,
        "type": process.type,
        "objective": process.objective,
        "parent_id": process.parent_id,
        "leader_id": process.leader_id,
        "member_ids": sorted(u.id for u in process.members),
        "active": process.active,
    }


TYPE_ORDER = ("strategic", "core", "support", "evaluation")


def process_map(processes: list[Process]) -> tuple[dict[str, list[Process]], dict[int, list]]:
    """Roots grouped by type (in map order) and each process's listed children, by code."""
    listed = {p.id for p in processes}
    children: dict[int, list[Process]] = {p.id: [] for p in processes}
    groups: dict[str, list[Process]] = {t: [] for t in TYPE_ORDER}
    for process in processes:
        if process.parent_id in listed:
            children[process.parent_id].append(process)
        else:
            # A child whose macro-process is hidden (inactive) shows as a root of its own type.
            groups.setdefault(process.type, []).append(process)
    return groups, children


def processes_of_user(session: Session, user_id: int) -> tuple[list[Process], list[Process]]:
    """(processes the user leads, processes the user is a member of), active or not."""
    led = session.scalars(
        sa.select(Process).where(Process.leader_id == user_id).order_by(Process.code)
    ).all()
    member_of = session.scalars(
        sa.select(Process)
        .join(process_members, process_members.c.process_id == Process.id)
        .where(process_members.c.user_id == user_id)
        .order_by(Process.code)
    ).all()
    return list(led), list(member_of)
