"""Writing trail events (inside the caller's transaction) and verifying the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.core.context import current_client_address
from qms.core.db import utcnow
from qms.trail.models import GENESIS_HASH, TrailEvent, TrailHead

HEAD_ID = 1


def canonical_json(values: Mapping[str, Any] | None) -> str:
    if not values:
        return ""
    return json.dumps(
        values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )


def event_hash(event: TrailEvent) -> str:
    """SHA-256 over every field of the event and the previous hash."""
    payload = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "client_address": event.client_address,
        "prev_hash": event.prev_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def ensure_head(session: Session) -> None:
    """Create the chain head row if the database has none (fresh schema)."""
    if session.get(TrailHead, HEAD_ID) is None:
        session.add(TrailHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH))
        session.flush()


def record(
    session: Session,
    action: str,
    object_type: str,
    object_id: object = "",
    *,
    actor: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    client_address: str | None = None,
) -> TrailEvent:
    """Append one event in the caller's transaction; flushes, never commits."""
    # Bumping the head first takes the write lock (SQLite) or the row lock (PostgreSQL), so
    # concurrent writers queue here and each reads the hash the previous one committed.
    bumped = session.execute(
        sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(seq=TrailHead.seq + 1)
    )
    if bumped.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError("trail head row is missing; run `qms db upgrade`")
    seq, prev_hash = session.execute(
        sa.select(TrailHead.seq, TrailHead.hash).where(TrailHead.id == HEAD_ID)
    ).one()
    event = TrailEvent(
        seq=seq,
        occurred_at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", "") or "",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else "",
        before=canonical_json(before),
        after=canonical_json(after),
        reason=reason or "",
        client_address=client_address if client_address is not None else current_client_address(),
        prev_hash=prev_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    session.execute(sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(hash=event.hash))
    session.flush()
    return event


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict, dict]:
    """Keep only the keys whose value differs, for compact before/after values."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    event_id: int | None
    reason: str

    def describe(self) -> str:
        where = f"event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"{where}: {self.reason}"


def verify_chain(session: Session, batch_size: int = 2000) -> tuple[int, ChainProblem | None]:
    """Walk the chain in order; return (events checked, first problem or None)."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    stmt = sa.select(TrailEvent).order_by(TrailEvent.seq).execution_options(yield_per=batch_size)
    for event in session.scalars(stmt):
        if event.seq != expected_seq:
            return checked, ChainProblem(
                expected_seq, None, f"missing; the next stored event is #{event.seq}"
            )
        if event.prev_hash != prev_hash:
            return checked, ChainProblem(
                event.seq, event.id, "does not follow the previous event (removed or reordered)"
            )
        if event_hash(event) != event.hash:
            return checked, ChainProblem(event.seq, event.id, "content altered")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = session.get(TrailHead, HEAD_ID)
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return checked, ChainProblem(
            checked + 1, None, f"missing; the chain head says {head.seq} events were written"
        )
    return checked, None
