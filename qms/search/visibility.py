"""The index's side of "what may this reader see": a filter built from the permissions (never
by editing what was typed), applied before ranking so that versions the reader may not see can
never crowd out the ones they may. The database's own predicate (`version_visibility`) still
has the last word on every hit; this filter only has to let through at least what it allows.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from whoosh import query as q

from qms.core.permissions import Permission, can, can_own_variant
from qms.documents.models import Document, VersionState
from qms.documents.queries import named_signer_version_ids

P = Permission
# Recorded states a reader of versions in force may meet: an approved version reads as in
# force from its day on, before the tick records it (the database decides which).
IN_FORCE_STATES = (VersionState.EFFECTIVE, VersionState.APPROVED)


def index_filter(session: Session, actor: Any) -> q.Query | None:
    """None when the actor may see every version; else the versions they might see."""
    if can(actor, P.DOCUMENT_READ_ALL):
        return None
    allowed: list[q.Query] = []
    if can(actor, P.DOCUMENT_READ):
        allowed += [q.Term("state", str(state)) for state in IN_FORCE_STATES]
    if can_own_variant(actor, P.DOCUMENT_READ_ALL):
        owned = session.scalars(sa.select(Document.id).where(Document.owned_by_clause(actor.id)))
        allowed += [q.Term("document", str(document_id)) for document_id in owned]
    allowed += [
        q.Term("version_id", str(version_id))
        for version_id in named_signer_version_ids(session, actor)
    ]
    return q.Or(allowed) if allowed else q.NullQuery
