"""Writing trail events (inside the caller's transaction) and verifying the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Session

from qms.core.context import current_client_address
from qms.core.db import rowcount, utcnow
from qms.core.trail_actions import TrailAction
from qms.trail import anchors
from qms.trail.anchors import Anchor
from qms.trail.models import GENESIS_HASH, HEAD_ID, TrailEvent, TrailHead


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
    action: TrailAction,
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
    # SQLite: pysqlite (legacy transaction control) sends BEGIN just before the first write, so
    # a transaction never holds a read lock it must upgrade; that upgrade is the one case where
    # SQLite answers "database is locked" at once instead of waiting out busy_timeout
    # (tests/integration/test_concurrent_writers.py checks threads and processes).
    bumped = session.execute(
        sa.update(TrailHead).where(TrailHead.id == HEAD_ID).values(seq=TrailHead.seq + 1)
    )
    if rowcount(bumped) != 1:
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
    anchors.schedule(session)  # the day's first commit anchors the head outside the database
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

    def where(self) -> str:
        return f"event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")

    def describe(self) -> str:
        return f"{self.where()}: {self.reason}"


@dataclass(frozen=True, kw_only=True)
class AnchorProblem(ChainProblem):
    """The database disagrees with an anchor kept outside it (qms/trail/anchors.py)."""

    anchor: Anchor
    chain_ends_at: int | None = None  # set when events past the chain's end were anchored

    @property
    def is_truncation(self) -> bool:
        return self.chain_ends_at is not None

    def describe(self) -> str:
        """In the reader's language (`reason` stays English, for logs and tests)."""
        if self.chain_ends_at is not None:
            text = gettext(
                "chain truncated: the anchor of %(day)s records event #%(anchored)s, but the "
                "chain in the database ends at event #%(last)s",
                day=self.anchor.local_date.isoformat(),
                anchored=self.anchor.seq,
                last=self.chain_ends_at,
            )
        else:
            text = gettext(
                "does not match the anchor of %(day)s (hash %(hash)s…): the chain was "
                "rewritten from this event or an earlier one",
                day=self.anchor.local_date.isoformat(),
                hash=self.anchor.hash[:12],
            )
        return f"{self.where()}: {text}"


def verify_chain(
    session: Session, batch_size: int = 2000, *, anchors: Iterable[Anchor] = ()
) -> tuple[int, ChainProblem | None]:
    """Walk the chain in order; return (events checked, first problem or None).

    `anchors` (`anchors.read_anchors(folder).anchors`, read before this call) are checked too:
    the chain must reach each anchored event, and that event must have the anchored hash.
    """
    walk = _Walk()
    for anchor in anchors:
        walk.anchored.setdefault(anchor.seq, []).append(anchor)
    checked, problem = _verify(session, batch_size, walk)
    mismatch = walk.mismatch
    if mismatch is None or (problem is not None and problem.seq <= mismatch.seq):
        return checked, problem  # on the same event, the chain's own finding says more
    return mismatch.seq - 1, mismatch


def _verify(session: Session, batch_size: int, walk: _Walk) -> tuple[int, ChainProblem | None]:
    anchored = walk.anchored
    # The head is read first: every event up to it was committed with it, so a writer that
    # commits while we walk cannot make an intact chain look broken.
    head = session.execute(
        sa.select(TrailHead.seq, TrailHead.hash).where(TrailHead.id == HEAD_ID)
    ).one_or_none()
    head_seq, head_hash = head if head is not None else (None, None)
    stmt = sa.select(TrailEvent).order_by(TrailEvent.seq).execution_options(yield_per=batch_size)
    if head_seq is not None:
        stmt = stmt.where(TrailEvent.seq <= head_seq)
    result = session.scalars(stmt)
    try:
        problem = _walk(session, iter(result), walk)
    finally:
        result.close()  # an early stop must not leave PostgreSQL's server-side cursor open
    checked, prev_hash, last_id = walk.checked, walk.prev_hash, walk.last_id
    if problem is not None:
        return checked, problem
    if head_seq is None:
        if checked == 0:
            return 0, _truncated(anchored, 0)
        return checked, ChainProblem(checked, last_id, "the chain head row is missing")
    if checked < head_seq:
        return checked, ChainProblem(
            checked + 1, None, f"missing; the chain head says {head_seq} events were written"
        )
    if prev_hash != head_hash:
        return checked - 1, ChainProblem(
            checked, last_id, "does not match the chain head (altered and re-hashed)"
        )
    truncated = _truncated(anchored, checked)
    if truncated is not None:
        return checked, truncated
    return checked, _check_beyond_head(session, checked)


def _truncated(anchored: Mapping[int, list[Anchor]], last_seq: int) -> AnchorProblem | None:
    """The chain ends at `last_seq` although an anchor names a later event."""
    if not anchored or max(anchored) <= last_seq:
        return None
    newest = anchored[max(anchored)][0]
    return AnchorProblem(
        last_seq + 1,
        None,
        f"chain truncated: the anchor of {newest.local_date.isoformat()} ({newest.name}) "
        f"records event #{newest.seq}, but the chain in the database ends at event #{last_seq}",
        anchor=newest,
        chain_ends_at=last_seq,
    )


@dataclass
class _Walk:
    checked: int = 0
    prev_hash: str = GENESIS_HASH
    last_id: int | None = None
    anchored: dict[int, list[Anchor]] = field(default_factory=dict)
    mismatch: AnchorProblem | None = None  # the first anchored event with another hash


def _walk(session: Session, rows: Iterator[TrailEvent], walk: _Walk) -> ChainProblem | None:
    """Check each event's place, link and hash; stop at the first problem."""
    while True:
        expected_seq = walk.checked + 1
        try:
            event = next(rows, None)
        except (ValueError, TypeError):  # a value edited into something unreadable
            return _locate_unreadable(session, expected_seq)
        if event is None:
            return None
        if event.seq != expected_seq:
            return ChainProblem(
                expected_seq, None, f"missing; the next stored event is #{event.seq}"
            )
        if event.prev_hash != walk.prev_hash:
            # Either this event moved, or the one before it was altered and re-hashed.
            return ChainProblem(
                event.seq,
                event.id,
                f"does not link to event #{event.seq - 1} (that event was altered and "
                "re-hashed, or events were removed or reordered)",
            )
        if event_hash(event) != event.hash:
            return ChainProblem(event.seq, event.id, "content altered")
        if walk.mismatch is None:
            walk.mismatch = _mismatch(event, walk.anchored.get(event.seq, ()))
        walk.prev_hash = event.hash
        walk.last_id = event.id
        walk.checked += 1


def _mismatch(event: TrailEvent, anchored: Iterable[Anchor]) -> AnchorProblem | None:
    """An anchor of this event that recorded another hash: the chain was rewritten."""
    for anchor in anchored:
        if anchor.hash != event.hash:
            return AnchorProblem(
                event.seq,
                event.id,
                f"does not match the anchor of {anchor.local_date.isoformat()} "
                f"({anchor.name}): the chain was rewritten from this event or an earlier one",
                anchor=anchor,
            )
    return None


def _check_beyond_head(session: Session, head_seq: int) -> ChainProblem | None:
    """Events past the head are either committed since we read it, or forged."""
    extra = session.execute(
        sa.select(TrailEvent.seq, TrailEvent.id)
        .where(TrailEvent.seq > head_seq)
        .order_by(TrailEvent.seq.desc())
        .limit(1)
    ).one_or_none()
    if extra is None:
        return None
    current_head = session.scalar(sa.select(TrailHead.seq).where(TrailHead.id == HEAD_ID)) or 0
    if extra.seq <= current_head:
        return None  # written by the service after our walk; the next run checks them
    first = session.execute(
        sa.select(TrailEvent.seq, TrailEvent.id)
        .where(TrailEvent.seq > current_head)
        .order_by(TrailEvent.seq)
        .limit(1)
    ).one()
    return ChainProblem(
        first.seq,
        first.id,
        f"not written by the trail service (the chain head says {current_head} events)",
    )


def _locate_unreadable(session: Session, from_seq: int) -> ChainProblem:
    """Load the events one by one (rows are fetched in batches) to name the unreadable one."""
    for seq, event_id in session.execute(
        sa.select(TrailEvent.seq, TrailEvent.id)
        .where(TrailEvent.seq >= from_seq)
        .order_by(TrailEvent.seq)
    ):
        try:
            session.execute(sa.select(TrailEvent).where(TrailEvent.id == event_id)).scalar_one()
        except (ValueError, TypeError) as exc:
            return ChainProblem(seq, event_id, f"unreadable ({exc})")
    return ChainProblem(from_seq, None, "unreadable")
