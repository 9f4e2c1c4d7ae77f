"""The hash-chained trail in the API."""

from __future__ import annotations

import json
from typing import Any, Self

from pydantic import Field

from qms.api.models.common import Moment, Response
from qms.trail.models import TrailEvent as EventRow


class TrailEvent(Response):
    """One event of the hash-chained trail."""

    seq: int
    occurred_at: Moment
    actor: str | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str
    client_address: str
    hash: str
    prev_hash: str

    @classmethod
    def of(cls, event: EventRow) -> Self:
        return cls(
            seq=event.seq,
            occurred_at=event.occurred_at,
            actor=event.actor_name or None,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            before=json.loads(event.before) if event.before else None,
            after=json.loads(event.after) if event.after else None,
            reason=event.reason,
            client_address=event.client_address,
            hash=event.hash,
            prev_hash=event.prev_hash,
        )


class TrailPage(Response):
    items: list[TrailEvent]
    total: int = Field(description="Events matching the filters.")
    limit: int
    offset: int
