"""Trail events as people read them: who, the action in words, which object, and the fields
that changed with their old and new values (not the stored JSON; each value reads as
qms/trail/values.py says). The exports for machines (the trail CSV, the API) keep the stored
JSON; this is for pages and printed histories.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.timefmt import CLOCK_FORMAT, local_moment
from qms.trail import queries, words
from qms.trail.models import TrailEvent
from qms.trail.values import (
    HIDDEN_FIELDS,
    HIDDEN_OF_TYPE,
    NOBODY,
    TEXT_LIMIT,
    USER_ID_FIELDS,
    USERNAME_FIELDS,
    People,
    field_label,
    show_value,
)
from qms.users.models import User

# The objects that have a timeline page of their own: trail object type → its kind in the URL.
TIMELINE_KINDS = {
    "document": "document",
    "document_version": "version",
    "nonconformity": "nonconformity",
    "audit": "audit",
}


_MISSING = object()


@dataclass(frozen=True)
class Change:
    """One field of an event: its old value (None: not recorded before), its new one (None:
    removed), or only the one value an event names (a detail)."""

    label: str
    before: str | None
    after: str | None

    @property
    def is_change(self) -> bool:
        return self.before is not None and self.after is not None

    @property
    def is_removal(self) -> bool:
        return self.before is not None and self.after is None


def load_values(text: str) -> dict[str, Any]:
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"value": text}
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def changes(
    object_type: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    shown_elsewhere: frozenset[str] = frozenset(),
    limit: int = TEXT_LIMIT,
    people: People = NOBODY,
) -> list[Change]:
    """The changed fields first (old → new), then what the event names, then what it removed.

    A value the sentence or the object's name already says is not repeated, unless it changed.
    """

    def shown(value: Any, key: str) -> str:
        return show_value(value, object_type, key, limit=limit, people=people)

    keys = [k for k in ("state", "status") if k in after or k in before]
    keys += [k for k in after if k not in keys]
    keys += [k for k in before if k not in keys]
    changed: list[Change] = []
    details: list[Change] = []
    removed: list[Change] = []
    for key in keys:
        if key in HIDDEN_FIELDS or key in HIDDEN_OF_TYPE.get(object_type, ()):
            continue
        old, new = before.get(key, _MISSING), after.get(key, _MISSING)
        label = field_label(key)
        if old is _MISSING:
            if key not in shown_elsewhere and not _is_empty(new):
                details.append(Change(label, None, shown(new, key)))
        elif new is _MISSING:
            removed.append(Change(label, shown(old, key), None))
        elif old != new:
            changed.append(Change(label, shown(old, key), shown(new, key)))
        elif key not in shown_elsewhere and not _is_empty(new) and (key, new) != ("round", 1):
            details.append(Change(label, None, shown(new, key)))  # a first round goes unsaid
    return changed + details + removed


def _is_empty(value: Any) -> bool:
    """Nothing to read: a detail without a value is left out (a change to nothing is not)."""
    return value is None or value == "" or value == [] or value == {}


def object_name(
    object_type: str, object_id: str, values: Mapping[str, Any], people: People = NOBODY
) -> str:
    """The object as a reader names it: "Documento PR-01", "PR-01, versión 2"."""
    label = words.object_label(object_type)
    if object_type == "user" and object_id.isdigit() and int(object_id) in people.by_id:
        return f"{label} {people.by_id[int(object_id)]}"
    if object_type == "document_version" and values.get("document") and values.get("number"):
        return _(
            "%(document)s, version %(number)s",
            document=values["document"],
            number=values["number"],
        )
    code = values.get("code") if object_type != "user" else values.get("username")
    if isinstance(code, str | int) and code != "":
        return f"{label} {code}"
    return f"{label} {object_id}".strip() if object_id else label


# The values that name the object (object_name) are not repeated among the details.
NAMING_FIELDS = {"document_version": frozenset({"document", "number"})}
DEFAULT_NAMING = frozenset({"code"})


@dataclass(frozen=True)
class ReadableEvent:
    event: TrailEvent
    who: str
    username: str
    sentence: str
    object_name: str
    timeline_kind: str | None
    changes: list[Change] = field(default_factory=list)

    @property
    def seq(self) -> int:
        return self.event.seq

    @property
    def occurred_at(self) -> datetime:
        return self.event.occurred_at

    @property
    def clock(self) -> str:
        """The local time of day, for a list already grouped by day."""
        return local_moment(self.event.occurred_at).strftime(CLOCK_FORMAT)


def read_event(
    event: TrailEvent,
    full_name: str | None = None,
    *,
    limit: int = TEXT_LIMIT,
    people: People = NOBODY,
) -> ReadableEvent:
    before, after = load_values(event.before), load_values(event.after)
    values = {k: people.name(k, v) or v for k, v in {**before, **after}.items()}
    naming = NAMING_FIELDS.get(event.object_type, DEFAULT_NAMING)
    return ReadableEvent(
        event=event,
        who=(full_name or event.actor_name) if event.actor_name else _("system"),
        username=event.actor_name,
        sentence=words.phrase(event.action, event.object_type, values),
        object_name=object_name(event.object_type, event.object_id, values, people),
        timeline_kind=TIMELINE_KINDS.get(event.object_type) if event.object_id else None,
        changes=changes(
            event.object_type,
            before,
            after,
            shown_elsewhere=words.placeholders(event.action) | naming,
            limit=limit,
            people=people,
        ),
    )


def _named_users(events: Sequence[TrailEvent]) -> tuple[set[int], set[str]]:
    ids: set[int] = set()
    usernames: set[str] = set()
    for event in events:
        if event.object_type == "user" and event.object_id.isdigit():
            ids.add(int(event.object_id))
        for values in (load_values(event.before), load_values(event.after)):
            for key, value in values.items():
                items = value if isinstance(value, list) else [value]
                if key in USER_ID_FIELDS:
                    ids |= {v for v in items if isinstance(v, int) and not isinstance(v, bool)}
                elif key in USERNAME_FIELDS:
                    usernames |= {v for v in items if isinstance(v, str) and v}
    return ids, usernames


def people_named(session: Session, events: Sequence[TrailEvent]) -> People:
    """The users these events' values name, and the document types if they need them."""
    from qms.documents.models import DocumentType  # the trail sits under documents

    ids, usernames = _named_users(events)
    rows = (
        session.execute(
            sa.select(User.id, User.username, User.full_name).where(
                sa.or_(User.id.in_(ids), User.username.in_(usernames))
            )
        ).all()
        if ids or usernames
        else []
    )
    types: dict[str, str] = {}
    if any(e.object_type == "document" for e in events):
        rows_of_types = session.execute(sa.select(DocumentType.key, DocumentType.name))
        types = {row.key: row.name for row in rows_of_types}
    return People(
        by_id={row.id: row.full_name for row in rows},
        by_username={row.username: row.full_name for row in rows},
        document_types=types,
    )


def read_events(
    session: Session, events: Sequence[TrailEvent], *, limit: int = TEXT_LIMIT
) -> list[ReadableEvent]:
    """Every event in words; the actors' and the named users' full names read in two queries."""
    names = queries.actor_full_names(session, list(events))
    people = people_named(session, events)
    return [
        read_event(e, names.get(e.actor_id) if e.actor_id else None, limit=limit, people=people)
        for e in events
    ]
