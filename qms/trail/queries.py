"""Reading the trail with filters: for the viewer, the CSV export and the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVarTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core.permissions import Permission, require
from qms.trail.models import TrailEvent
from qms.users.models import User


@dataclass(frozen=True)
class TrailFilter:
    actor_name: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


Ts = TypeVarTuple("Ts")


def _filtered(stmt: sa.Select[*Ts], f: TrailFilter) -> sa.Select[*Ts]:
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


def iter_events_for_export(session: Session, actor: Any, f: TrailFilter) -> Iterator[TrailEvent]:
    """Every matching event, oldest first, streamed in batches.

    The permission is checked now; the query runs on the first `next()`, so a streamed
    response can start it after the request's commit.
    """
    require(actor, Permission.TRAIL_EXPORT)
    stmt = _filtered(sa.select(TrailEvent), f).order_by(TrailEvent.seq)
    return _stream(session, stmt.execution_options(yield_per=1000))


def iter_export_rows(
    session: Session, actor: Any, f: TrailFilter
) -> Iterator[tuple[TrailEvent, str | None]]:
    """Like iter_events_for_export, with each actor's full name (as it reads today)."""
    require(actor, Permission.TRAIL_EXPORT)
    stmt = sa.select(TrailEvent, User.full_name).outerjoin(User, User.id == TrailEvent.actor_id)
    stmt = _filtered(stmt, f).order_by(TrailEvent.seq)
    return _stream(session, stmt.execution_options(yield_per=1000), scalars=False)


def _stream(
    session: Session, stmt: sa.Select[*tuple[Any, ...]], *, scalars: bool = True
) -> Iterator[Any]:
    result = session.scalars(stmt) if scalars else session.execute(stmt)
    try:
        yield from result
    finally:
        result.close()  # a client that stops reading must not leave a server-side cursor open


def actor_full_names(session: Session, events: list[TrailEvent]) -> dict[int, str]:
    """Full names of the actors of these events, by user id, in one query."""
    ids = {e.actor_id for e in events if e.actor_id is not None}
    if not ids:
        return {}
    return dict(session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


def utc_bounds(
    date_from: date | None, date_to: date | None, timezone: str
) -> tuple[datetime | None, datetime | None]:
    """[since, until) in UTC for whole days from..to (inclusive) in the given time zone."""
    zone = ZoneInfo(timezone)
    since = datetime.combine(date_from, time.min, zone).astimezone(UTC) if date_from else None
    until = (
        datetime.combine(date_to + timedelta(days=1), time.min, zone).astimezone(UTC)
        if date_to
        else None
    )
    return since, until


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
