"""What the record sources (nonconformities, PQRS, audits, findings, change requests) share:
the index filter built from a model's visibility predicate, text joining, names of users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_
from whoosh import query as q

from qms.processes.models import Process
from qms.search.sources.base import key_of
from qms.users.models import User

# A record without a title of its own (a PQRS, a finding) shows its first words.
TITLE_CHARS = 150


def title_of(text: str) -> str:
    """`text`'s first words, on one line, at most TITLE_CHARS characters."""
    line = " ".join(text.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def keys_filter(kind: str, ids: Iterable[int]) -> q.Query:
    """The entries of these ids of `kind`; q.NullQuery when there are none."""
    terms: list[q.Query] = [q.Term("key", key_of(kind, object_id)) for object_id in ids]
    return q.Or(terms) if terms else q.NullQuery


def sees_every(predicate: sa.ColumnElement[bool]) -> bool:
    """Whether a model's visibility predicate lets everything through (its readers of all)."""
    return isinstance(predicate, True_)


def visible_filter(
    session: Session, kind: str, id_column: Any, predicate: sa.ColumnElement[bool]
) -> q.Query | None:
    """The entries whose ids the model's predicate lets through (the one rule, read now);
    None when it lets through every one."""
    if sees_every(predicate):
        return None
    return keys_filter(kind, session.scalars(sa.select(id_column).where(predicate)))


def led_processes_filter(
    session: Session,
    kind: str,
    id_column: Any,
    predicate: sa.ColumnElement[bool],
    process_column: Any,
    actor: Any,
) -> q.Query | None:
    """`visible_filter` for a model whose process leaders see their processes' records: those
    as one term per process led (a leader of many processes sees thousands of records, and a
    term per record would cost more than the search), the others one by one. Letting a led
    process's records through is never a leak: the predicate still decides every hit."""
    if sees_every(predicate):
        return None
    led = sa.select(Process.id).where(Process.leader_id == actor.id)
    codes = session.scalars(sa.select(Process.code).where(Process.id.in_(led)))
    by_process: list[q.Query] = [q.Term("process_code", code.lower()) for code in codes]
    elsewhere = sa.or_(process_column.is_(None), process_column.not_in(led))
    others = session.scalars(sa.select(id_column).where(predicate, elsewhere))
    by_key = keys_filter(kind, others)
    parts = by_process + ([] if by_key is q.NullQuery else [by_key])
    return q.Or(parts) if parts else q.NullQuery


def joined(parts: Iterable[object]) -> str:
    """Non-empty texts, one per line."""
    return "\n".join(text for text in (str(part or "").strip() for part in parts) if text)


def json_texts(value: object, limit: int = 500) -> list[str]:
    """Every string inside a JSON value (lists and objects, keys left out), at most `limit`."""
    found: list[str] = []
    stack = [value]
    while stack and len(found) < limit:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list | tuple):
            stack.extend(reversed(item))
    return found


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Full names of these users, in one query."""
    wanted = {user_id for user_id in ids if user_id}
    if not wanted:
        return {}
    rows = session.execute(sa.select(User.id, User.full_name).where(User.id.in_(wanted)))
    return {row.id: row.full_name for row in rows}


def label_of(labels: dict[str, Any], value: str) -> str:
    """A stored value as a reader reads it (translated), the value itself when unknown."""
    return str(labels.get(value, value))
