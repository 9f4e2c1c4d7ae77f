"""Reading the trail with filters: for the viewer, the CSV export and the API."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core.permissions import Permission, require
from qms.trail.models import TrailEvent


@dataclass(frozen=True)
class TrailFilter:
    actor_name: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(stmt: sa.Select[Any], f: TrailFilter) -> sa.Select[Any]:
    if f.actor_name:
        stmt = stmt.where(TrailEvent.actor_name == f.actor_name.strip().lower())
    if f.action:
        stmt = stmt.where(TrailEvent.action == f.action.strip())
    if f.object_type:
        stmt = stmt.where(TrailEvent.object_type == f.object_type.strip())
    if f.object_id:
        stmt = stmt.where(TrailEvent.object_id == f.object_id.strip())
    if f.since is not None:
        stmt = stmt.where(TrailEvent.occurred_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(TrailEvent.occurred_at < f.until)
    return stmt


def search_events(
    session: Session, actor: Any, f: TrailFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[TrailEvent], int]:
    """A page of events, newest first, and the total that match."""
    require(actor, Permission.TRAIL_READ)
    total = session.scalar(_filtered(sa.select(sa.func.count(TrailEvent.id)), f)) or 0
    stmt = _filtered(sa.select(TrailEvent), f).order_by(TrailEvent.seq.desc())
    events = list(session.scalars(stmt.limit(max(1, min(limit, 500))).offset(max(0, offset))))
    return events, total


def iter_events_for_export(session: Session, actor: Any, f: TrailFilter) -> Any:
    """Every matching event, oldest first, streamed in batches."""
    require(actor, Permission.TRAIL_EXPORT)
    stmt = _filtered(sa.select(TrailEvent), f).order_by(TrailEvent.seq)
    return session.scalars(stmt.execution_options(yield_per=1000))


def distinct_actions(session: Session) -> list[str]:
    return list(
        session.scalars(sa.select(TrailEvent.action).distinct().order_by(TrailEvent.action))
    )


def event_as_dict(event: TrailEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor_name or None,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": json.loads(event.before) if event.before else None,
        "after": json.loads(event.after) if event.after else None,
        "reason": event.reason,
        "client_address": event.client_address,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }
