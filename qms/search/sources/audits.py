"""Internal audits in the index: title, objectives, scope, criteria, place, the plan's agenda,
the checklist's questions with their answers' notes (an answer is found through its audit),
the report's text, reschedules' reasons; the processes audited; the clauses of the plan and
of the questions; the lead auditor, the team, the auditees and the report's signers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload
from whoosh import query as q

from qms.audits.labels import STATE_LABELS
from qms.audits.models import Audit, audit_processes
from qms.audits.services import audit_visibility
from qms.core.permissions import Permission
from qms.processes.models import Process
from qms.search.sources.base import Entry, Shown, entry
from qms.search.sources.records import joined, label_of, visible_filter

P = Permission
KIND = "audit"


def _entry(audit: Audit) -> Entry:
    questions = [question for question in audit.questions if not question.withdrawn]
    content = joined(
        [
            audit.objectives,
            audit.scope,
            audit.criteria,
            audit.place,
            *(text for item in audit.agenda for text in (item.topic, item.participants)),
            *(text for question in questions for text in (question.text, question.notes)),
            audit.conclusions,
            audit.strengths,
            audit.cancel_reason,
            *(move.reason for move in audit.reschedules),
            *(signature.comment for signature in audit.signatures),
        ]
    )
    people = [
        audit.lead_auditor.full_name,
        *(member.user.full_name for member in audit.team),
        *(auditee.full_name for auditee in audit.auditees),
        *(signature.printed_name for signature in audit.signatures),
    ]
    clauses = [*(audit.clauses or []), *(question.iso_clause for question in questions)]
    return entry(
        KIND,
        audit.id,
        code=audit.code,
        title=audit.title,
        content=content,
        state=str(audit.state),
        year=audit.year,
        process=", ".join(process.name for process in audit.processes),
        process_code=" ".join(process.code for process in audit.processes),
        clauses=[str(clause) for clause in clauses if clause],
        people=people,
    )


def process_names(session: Session, audit_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Audit id → (names, codes) of the processes it audits, in one query."""
    rows = session.execute(
        sa.select(audit_processes.c.audit_id, Process.code, Process.name)
        .join(Process, Process.id == audit_processes.c.process_id)
        .where(audit_processes.c.audit_id.in_(audit_ids))
        .order_by(Process.code)
    )
    found: dict[int, tuple[list[str], list[str]]] = {}
    for row in rows:
        names, codes = found.setdefault(row.audit_id, ([], []))
        names.append(row.name)
        codes.append(row.code)
    return {audit_id: (", ".join(n), " ".join(c)) for audit_id, (n, c) in found.items()}


class AuditSource:
    kind: ClassVar[str] = KIND
    object_types: ClassVar[frozenset[str]] = frozenset({"audit", "process"})
    aliases: ClassVar[tuple[str, ...]] = ("auditoria", "audit")

    def label(self) -> str:
        return _("Audit")

    def ids(self) -> sa.Select[Any]:
        return sa.select(Audit.id).order_by(Audit.id)

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        if object_type == "audit":
            return set(object_ids)
        if object_type == "process":
            stmt = sa.select(audit_processes.c.audit_id).where(
                audit_processes.c.process_id.in_(object_ids)
            )
            return set(session.scalars(stmt))
        return set()

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        # The processes, auditees and team load in one query each (selectin relationships).
        stmt = (
            sa.select(Audit)
            .where(Audit.id.in_(list(ids)))
            .options(
                selectinload(Audit.agenda),
                selectinload(Audit.questions),
                selectinload(Audit.reschedules),
                selectinload(Audit.signatures),
            )
        )
        return {audit.id: _entry(audit) for audit in session.scalars(stmt)}

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        return visible_filter(session, KIND, Audit.id, audit_visibility(actor))

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        wanted = list(ids)
        if not wanted:
            return {}
        stmt = sa.select(Audit.id, Audit.code, Audit.title, Audit.state, Audit.start_on).where(
            Audit.id.in_(wanted), audit_visibility(actor)
        )
        rows = list(session.execute(stmt))
        processes = process_names(session, [row.id for row in rows])
        return {
            row.id: Shown(
                kind=KIND,
                object_id=row.id,
                code=row.code,
                title=row.title,
                state=str(row.state),
                state_label=label_of(STATE_LABELS, row.state),
                process=processes.get(row.id, ("", ""))[0],
                process_code=processes.get(row.id, ("", ""))[1],
                day=row.start_on,
                endpoint="audit_work.show",
                url_args={"audit_id": row.id},
            )
            for row in rows
        }
