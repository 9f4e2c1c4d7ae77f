"""The index's side of "what may this reader see": one filter built from the permissions (never
by editing what was typed), applied before ranking so that entries the reader may not see can
never crowd out the ones they may. Each kind's source builds its part; the database's own
predicate for each model still has the last word on every hit, so a part only has to let
through at least what that predicate allows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from whoosh import query as q

from qms.search.sources import SOURCES


def index_filter(session: Session, actor: Any) -> q.Query | None:
    """None when the actor may see every entry of every kind; q.NullQuery when nothing; else
    the entries they might see."""
    allowed: list[q.Query] = []
    everything = True
    for source in SOURCES:
        part = source.index_filter(session, actor)
        if part is None:
            allowed.append(q.Term("kind", source.kind))
            continue
        everything = False
        if part is not q.NullQuery:
            allowed.append(q.And([q.Term("kind", source.kind), part]))
    if everything:
        return None
    return q.Or(allowed) if allowed else q.NullQuery
