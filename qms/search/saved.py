"""Saved searches: each person's own, run again from the search page with one click.

Only their owner sees them (`visibility`, the one rule); another's answers as missing. Saving
and removing write the trail; a removed search is kept, marked removed, and frees its name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import rowcount, utcnow
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.trail_actions import TrailAction
from qms.search.results import SORTS
from qms.search.saved_models import SavedSearch
from qms.search.services import MAX_QUERY
from qms.trail import services as trail

MAX_NAME = 100
MAX_SAVED = 100  # per person: a list one can still read


def visibility(actor: Any) -> sa.ColumnElement[bool]:
    """SQL condition on SavedSearch for what `actor` may see: their own live searches."""
    if actor is None:
        return sa.false()
    return sa.and_(SavedSearch.owner_id == actor.id, SavedSearch.removed_at.is_(None))


def saved_searches(session: Session, actor: Any) -> list[SavedSearch]:
    require(actor, Permission.DOCUMENT_READ)
    stmt = sa.select(SavedSearch).where(visibility(actor)).order_by(SavedSearch.name)
    return list(session.scalars(stmt))


def save_search(
    session: Session,
    actor: Any,
    *,
    name: str,
    query: str,
    any_word: bool = False,
    history: bool = False,
    on_day: date | None = None,
    sort: str = "relevance",
) -> SavedSearch:
    """Save what was searched under `name`; the name is the person's to reuse once removed."""
    require(actor, Permission.DOCUMENT_READ)
    name, query = (name or "").strip(), (query or "").strip()
    if not name:
        raise ValidationFailed(str(_l("Give the search a name.")), field="name")
    if len(name) > MAX_NAME:
        raise ValidationFailed(
            str(_l("The name must have at most %(n)d characters.", n=MAX_NAME)), field="name"
        )
    if not query:
        raise ValidationFailed(str(_l("There is nothing to save: search first.")), field="q")
    if len(query) > MAX_QUERY:
        raise ValidationFailed(str(_l("The search is too long.")), field="q")
    if sort not in SORTS:
        raise ValidationFailed(str(_l("Sort by relevance or by date.")), field="sort")
    taken = session.scalar(
        sa.select(sa.func.count()).select_from(SavedSearch).where(visibility(actor))
    )
    if (taken or 0) >= MAX_SAVED:
        raise ValidationFailed(
            str(_l("You have %(n)d saved searches: remove some first.", n=MAX_SAVED)),
            field="name",
        )
    if session.scalar(sa.select(SavedSearch.id).where(visibility(actor), SavedSearch.name == name)):
        # The unique index answers the same for two saves racing past this check.
        raise Conflict(str(_l("You already have a saved search with this name.")))
    saved = SavedSearch(
        owner_id=actor.id,
        name=name,
        query=query,
        any_word=any_word,
        history=history,
        on_day=on_day,
        sort=sort,
    )
    session.add(saved)
    session.flush()
    trail.record(
        session,
        TrailAction.SAVED_SEARCH_CREATE,
        "saved_search",
        saved.id,
        actor=actor,
        after={
            "name": name,
            "query": query,
            "any": any_word,
            "history": history,
            "on": on_day.isoformat() if on_day else None,
            "sort": sort,
        },
    )
    return saved


def remove_saved_search(session: Session, actor: Any, saved_id: int) -> SavedSearch:
    """Remove one of the actor's saved searches (kept, marked removed)."""
    require(actor, Permission.DOCUMENT_READ)
    saved = session.scalar(
        sa.select(SavedSearch).where(SavedSearch.id == saved_id, visibility(actor))
    )
    if saved is None:
        raise NotFound(str(_l("Saved search not found.")))
    removed = session.execute(
        sa.update(SavedSearch)
        .where(SavedSearch.id == saved.id, SavedSearch.removed_at.is_(None))
        .values(removed_at=utcnow())
    )
    if rowcount(removed) != 1:  # removed meanwhile by another request
        raise NotFound(str(_l("Saved search not found.")))
    trail.record(
        session,
        TrailAction.SAVED_SEARCH_REMOVE,
        "saved_search",
        saved.id,
        actor=actor,
        before={"name": saved.name, "query": saved.query},
    )
    return saved
