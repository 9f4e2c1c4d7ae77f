"""PQRS in the index: what the customer asked, the answer given, the reasons for an extension;
the kind in Spanish words (queja, reclamo…); the customer, who registered and who answered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from whoosh import query as q

from qms.capa.pqrs import pqrs_visibility
from qms.capa.pqrs_forms import STATE_LABELS
from qms.capa.pqrs_models import PqrsRequest
from qms.core.permissions import Permission
from qms.processes.models import Process
from qms.search.sources.base import Entry, Shown, entry
from qms.search.sources.records import (
    TITLE_CHARS,
    joined,
    label_of,
    led_processes_filter,
    title_of,
    user_names,
)

P = Permission
KIND = "pqrs"
# The words people search a request's kind by (the index reads Spanish, whatever the reader's
# language): a complaint is found by "queja" even where its text never says so.
KIND_WORDS = {
    "petition": "petición",
    "complaint": "queja",
    "claim": "reclamo",
    "suggestion": "sugerencia",
    "documents": "solicitud de documentos o información",
    "consultation": "consulta",
}


def _entry(request: PqrsRequest, names: Mapping[int, str]) -> Entry:
    process = request.process
    return entry(
        KIND,
        request.id,
        code=request.code,
        title=title_of(request.text),
        content=joined(
            [
                KIND_WORDS.get(request.kind, request.kind),
                request.text,
                request.extension_reason,
                request.answer,
            ]
        ),
        state=str(request.state),
        year=request.year,  # the year it was received, as its code says
        process=process.name if process else "",
        process_code=process.code if process else "",
        people=[
            request.customer_name,
            names.get(request.registered_by_id),
            names.get(request.answered_by_id or 0),
        ],
    )


class PqrsSource:
    kind: ClassVar[str] = KIND
    object_types: ClassVar[frozenset[str]] = frozenset({"pqrs", "process"})
    aliases: ClassVar[tuple[str, ...]] = ("pqrs", "peticion", "queja", "reclamo", "sugerencia")

    def label(self) -> str:
        return _("PQRS")

    def ids(self) -> sa.Select[Any]:
        return sa.select(PqrsRequest.id).order_by(PqrsRequest.id)

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        if object_type == "pqrs":
            return set(object_ids)
        if object_type == "process":
            stmt = sa.select(PqrsRequest.id).where(PqrsRequest.process_id.in_(object_ids))
            return set(session.scalars(stmt))
        return set()

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        stmt = sa.select(PqrsRequest).where(PqrsRequest.id.in_(list(ids)))
        requests = list(session.scalars(stmt))  # the process comes joined
        names = user_names(
            session,
            [r.registered_by_id for r in requests] + [r.answered_by_id for r in requests],
        )
        return {request.id: _entry(request, names) for request in requests}

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        return led_processes_filter(
            session, KIND, PqrsRequest.id, pqrs_visibility(actor), PqrsRequest.process_id, actor
        )

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        wanted = list(ids)
        if not wanted:
            return {}
        stmt = (
            sa.select(
                PqrsRequest.id,
                PqrsRequest.code,
                sa.func.substr(PqrsRequest.text, 1, 4 * TITLE_CHARS).label("text"),
                PqrsRequest.state,
                PqrsRequest.received_on,
                Process.code.label("process_code"),
                Process.name.label("process_name"),
            )
            .outerjoin(Process, Process.id == PqrsRequest.process_id)
            .where(PqrsRequest.id.in_(wanted), pqrs_visibility(actor))
        )
        return {
            row.id: Shown(
                kind=KIND,
                object_id=row.id,
                code=row.code,
                title=title_of(row.text),
                state=str(row.state),
                state_label=label_of(STATE_LABELS, row.state),
                process=row.process_name or "",
                process_code=row.process_code or "",
                day=row.received_on,
                endpoint="pqrs.show",
                url_args={"request_id": row.id},
            )
            for row in session.execute(stmt)
        }
