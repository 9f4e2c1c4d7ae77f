"""Drift reconciled: how the index is never wrong for good.

On the first use of the index in a process and on every tick a cheap reconcile compares the
keys the index holds with the ids in the database; `qms search reconcile` (and the admin page)
also compares every entry's content digest with the one the database would give now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from qms.core import db as core_db
from qms.search import status
from qms.search.backend_of import STARTED, search_backend
from qms.search.backends import SearchBackend
from qms.search.draining import BATCH, Drained, commit_entries, drain_round
from qms.search.index import entry_digest
from qms.search.locks import write_lock
from qms.search.sources import BY_KIND, SOURCES, key_of, split_key


@dataclass
class Drift:
    """What a reconcile found: entry ids per kind."""

    missing: dict[str, set[int]] = field(default_factory=dict)
    stale: dict[str, set[int]] = field(default_factory=dict)
    extra: dict[str, set[int]] = field(default_factory=dict)
    full: bool = False
    repaired: bool = False

    def counts(self) -> tuple[int, int, int]:
        return tuple(  # type: ignore[return-value]
            sum(len(ids) for ids in found.values())
            for found in (self.missing, self.stale, self.extra)
        )

    def total(self) -> int:
        return sum(self.counts())

    def describe(self) -> str:
        missing, stale, extra = self.counts()
        checked = f"{missing} missing, {stale} stale, {extra} extra"
        if not self.full:
            checked = f"{missing} missing, {extra} extra"
        if not self.total():
            return f"{checked}: in step"
        return f"{checked}: {'repaired' if self.repaired else 'not repaired'}"


def reconcile(app: Flask, *, full: bool, blocking: bool, repair: bool = True) -> Drift | None:
    """Compare the index with the database, and repair: missing entries are indexed, extra
    ones removed and (`full`) stale ones rewritten. None when the lock was busy and
    `blocking` is False (the holder is writing; the next tick looks again)."""
    with write_lock(app, blocking=blocking) as held:
        if not held:
            return None
        app.extensions[STARTED] = True
        # Pending jobs first: an entry waiting for its job is not drift.
        while drain_round(app, Drained()):
            pass
        backend = search_backend(app)
        with status.factory(app)() as session:
            drift = _compare(session, backend, full)
            if repair and drift.total():
                # Kinds an older release indexed: removed; the others as the database says.
                backend.remove(
                    key_of(kind, object_id)
                    for kind, ids in drift.extra.items()
                    if kind not in BY_KIND
                    for object_id in ids
                )
                repairs: dict[str, set[int]] = {}
                for found in (drift.missing, drift.stale, drift.extra):
                    for kind, ids in found.items():
                        if kind in BY_KIND:
                            repairs.setdefault(kind, set()).update(ids)
                commit_entries(session, backend, repairs)
                drift.repaired = True
    status.save(
        status.root(app) / status.RECONCILE_FILE,
        {"at": core_db.utcnow().isoformat(), **_as_json(drift)},
    )
    return drift


def _indexed(backend: SearchBackend) -> dict[str, set[int]]:
    """kind → ids of the entries held."""
    found: dict[str, set[int]] = {}
    held: set[str] = backend.keys()
    for key in held:
        kind, object_id = split_key(key)
        found.setdefault(kind, set()).add(object_id)
    return found


def _compare(session: Session, backend: SearchBackend, full: bool) -> Drift:
    drift = Drift(full=full)
    indexed = _indexed(backend)
    for source in SOURCES:
        have = indexed.pop(source.kind, set())
        ids = set(session.scalars(source.ids()))
        drift.missing[source.kind] = ids - have
        drift.extra[source.kind] = have - ids
        if full:
            drift.stale[source.kind] = _stale(session, backend, source.kind, sorted(ids & have))
    for kind, have in indexed.items():  # kinds no source declares any more
        drift.extra[kind] = have
    for found in (drift.missing, drift.stale, drift.extra):
        for kind in [kind for kind, ids in found.items() if not ids]:
            del found[kind]
    return drift


def _stale(session: Session, backend: SearchBackend, kind: str, ids: list[int]) -> set[int]:
    """The ids whose entry's digest is not the one the database gives now."""
    stale: set[int] = set()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        held = backend.stored(key_of(kind, object_id) for object_id in batch)
        for object_id, fields in BY_KIND[kind].entries(session, batch).items():
            stored = held.get(key_of(kind, object_id))
            if stored is None or entry_digest(fields) != stored.get("digest"):
                stale.add(object_id)
    return stale


def _as_json(drift: Drift) -> dict[str, Any]:
    missing, stale, extra = drift.counts()
    return {
        "missing": missing,
        "stale": stale,
        "extra": extra,
        "full": drift.full,
        "repaired": drift.repaired,
        "summary": drift.describe(),
    }
