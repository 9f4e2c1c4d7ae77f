"""Change requests in the index: the reason and the decision's, what is asked (in Spanish
words), the document's code, title and process (or, for a new document, the proposed title and
process); who asked, who decided and the document's owner."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased
from whoosh import query as q

from qms.core.localtime import local_date
from qms.documents.change_request_forms import STATE_LABELS
from qms.documents.change_requests import visibility
from qms.documents.models import ChangeRequest, Document
from qms.processes.models import Process
from qms.search.sources.base import Entry, Shown, entry
from qms.search.sources.records import joined, label_of, user_names, visible_filter

KIND = "change_request"
# What is asked, in the words people search by (the index reads Spanish).
KIND_WORDS = {
    "create": "solicitud de creación",
    "modify": "solicitud de modificación",
    "withdraw": "solicitud de eliminación",
}


def _entry(
    request: ChangeRequest, names: Mapping[int, str], processes: Mapping[int, Process]
) -> Entry:
    document = request.document
    process: Process | None
    if document is not None:
        code, title, process = document.code, document.title, document.process
    else:  # a new document: what it is to be
        code, title = "", request.proposed_title
        process = processes.get(request.proposed_process_id or 0)
    return entry(
        KIND,
        request.id,
        code=code,
        title=title,
        content=joined(
            [
                KIND_WORDS.get(request.kind, request.kind),
                request.reason,
                request.proposed_title if document is not None else "",
                request.decision_reason,
            ]
        ),
        state=str(request.state),
        year=local_date(request.requested_at).year,
        process=process.name if process else "",
        process_code=process.code if process else "",
        people=[
            request.requested_by.full_name,
            names.get(request.decided_by_id or 0),
            document.owner.full_name if document is not None else None,
        ],
    )


class ChangeRequestSource:
    kind: ClassVar[str] = KIND
    object_types: ClassVar[frozenset[str]] = frozenset({"change_request", "document", "process"})
    aliases: ClassVar[tuple[str, ...]] = ("solicitud", "cambio", "change_request")

    def label(self) -> str:
        return _("Change request")

    def ids(self) -> sa.Select[Any]:
        return sa.select(ChangeRequest.id).order_by(ChangeRequest.id)

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        if object_type == "change_request":
            return set(object_ids)
        where: sa.ColumnElement[bool]
        if object_type == "document":  # retitled, recoded: its requests carry them
            where = ChangeRequest.document_id.in_(object_ids)
        elif object_type == "process":
            documents = sa.select(Document.id).where(Document.process_id.in_(object_ids))
            where = sa.or_(
                ChangeRequest.document_id.in_(documents),
                ChangeRequest.proposed_process_id.in_(object_ids),
            )
        else:
            return set()
        return set(session.scalars(sa.select(ChangeRequest.id).where(where)))

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        # The document (with its process and owner) and the requester come joined.
        stmt = sa.select(ChangeRequest).where(ChangeRequest.id.in_(list(ids)))
        requests = list(session.scalars(stmt).unique())
        names = user_names(session, [request.decided_by_id for request in requests])
        proposed = {r.proposed_process_id for r in requests if r.proposed_process_id}
        processes = (
            {p.id: p for p in session.scalars(sa.select(Process).where(Process.id.in_(proposed)))}
            if proposed
            else {}
        )
        return {request.id: _entry(request, names, processes) for request in requests}

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        return visible_filter(session, KIND, ChangeRequest.id, visibility(actor))

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        wanted = list(ids)
        if not wanted:
            return {}
        proposed = aliased(Process)
        stmt = (
            sa.select(
                ChangeRequest.id,
                ChangeRequest.state,
                ChangeRequest.proposed_title,
                ChangeRequest.requested_at,
                Document.code.label("document_code"),
                Document.title.label("document_title"),
                sa.func.coalesce(Process.code, proposed.code).label("process_code"),
                sa.func.coalesce(Process.name, proposed.name).label("process_name"),
            )
            .outerjoin(Document, Document.id == ChangeRequest.document_id)
            .outerjoin(Process, Process.id == Document.process_id)
            .outerjoin(proposed, proposed.id == ChangeRequest.proposed_process_id)
            .where(ChangeRequest.id.in_(wanted), visibility(actor))
        )
        return {
            row.id: Shown(
                kind=KIND,
                object_id=row.id,
                code=row.document_code or "",
                title=row.document_title or row.proposed_title,
                state=str(row.state),
                state_label=label_of(STATE_LABELS, row.state),
                process=row.process_name or "",
                process_code=row.process_code or "",
                day=local_date(row.requested_at),
                endpoint="change_requests.show",
                url_args={"request_id": row.id},
            )
            for row in session.execute(stmt)
        }
