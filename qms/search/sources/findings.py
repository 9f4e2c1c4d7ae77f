"""Audit findings in the index, each its own entry: the statement, criterion and evidence, the
grade (as its state, and in Spanish words), the clause it cites, its process; seen by whoever
may see its audit, and shown on the audit's page at the finding."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload
from whoosh import query as q

from qms.audits.labels import GRADE_LABELS
from qms.audits.models import Audit, Finding
from qms.audits.services import audit_visibility
from qms.core.localtime import local_date
from qms.core.permissions import Permission
from qms.processes.models import Process
from qms.search.analysis import fold
from qms.search.sources.base import Entry, Shown, entry
from qms.search.sources.records import (
    TITLE_CHARS,
    joined,
    label_of,
    sees_every,
    title_of,
    user_names,
)

P = Permission
KIND = "finding"
# The grade in the words people search by (the index reads Spanish).
GRADE_WORDS = {
    "major_nc": "no conformidad mayor",
    "minor_nc": "no conformidad menor",
    "observation": "observación",
    "opportunity": "oportunidad de mejora",
}


def code_of(audit_code: str, seq: int) -> str:
    """A finding's code: its audit's, then H (hallazgo) and its number (`AUD-2026-03-H2`)."""
    return f"{audit_code}-H{seq}"


def _entry(finding: Finding, names: Mapping[int, str]) -> Entry:
    audit = finding.audit
    return entry(
        KIND,
        finding.id,
        code=code_of(audit.code, finding.seq),
        title=title_of(finding.statement),
        content=joined(
            [
                GRADE_WORDS.get(finding.grade, finding.grade),
                finding.statement,
                finding.criterion,
                finding.evidence,
                audit.title,
            ]
        ),
        state=str(finding.grade),
        year=audit.year,
        process=finding.process.name,
        process_code=finding.process.code,
        clauses=[finding.iso_clause] if finding.iso_clause else [],
        people=[names.get(finding.created_by_id), audit.lead_auditor.full_name],
        closes=False,  # a finding has a grade, not a life
    )


class FindingSource:
    kind: ClassVar[str] = KIND
    object_types: ClassVar[frozenset[str]] = frozenset({"audit", "process"})
    aliases: ClassVar[tuple[str, ...]] = ("hallazgo", "finding")

    def label(self) -> str:
        return _("Finding")

    def ids(self) -> sa.Select[Any]:
        return sa.select(Finding.id).order_by(Finding.id)

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        if object_type == "audit":  # the trail names the audit; its findings may have changed
            stmt = sa.select(Finding.id).where(Finding.audit_id.in_(object_ids))
        elif object_type == "process":
            stmt = sa.select(Finding.id).where(Finding.process_id.in_(object_ids))
        else:
            return set()
        return set(session.scalars(stmt))

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        stmt = (
            sa.select(Finding).where(Finding.id.in_(list(ids))).options(selectinload(Finding.audit))
        )
        findings = list(session.scalars(stmt))
        names = user_names(session, [finding.created_by_id for finding in findings])
        return {finding.id: _entry(finding, names) for finding in findings}

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        audits = audit_visibility(actor)
        if sees_every(audits):
            return None
        # A finding's code starts with its audit's, and the index holds every code's family:
        # one term per visible audit, not one per finding.
        codes = session.scalars(sa.select(Audit.code).where(audits))
        terms: list[q.Query] = [q.Term("code", fold(code)) for code in codes]
        return q.Or(terms) if terms else q.NullQuery

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        wanted = list(ids)
        if not wanted:
            return {}
        stmt = (
            sa.select(
                Finding.id,
                Finding.seq,
                Finding.grade,
                sa.func.substr(Finding.statement, 1, 4 * TITLE_CHARS).label("statement"),
                Finding.created_at,
                Finding.audit_id,
                Audit.code.label("audit_code"),
                Process.code.label("process_code"),
                Process.name.label("process_name"),
            )
            .join(Audit, Audit.id == Finding.audit_id)
            .join(Process, Process.id == Finding.process_id)
            .where(Finding.id.in_(wanted), audit_visibility(actor))
        )
        return {
            row.id: Shown(
                kind=KIND,
                object_id=row.id,
                code=code_of(row.audit_code, row.seq),
                title=title_of(row.statement),
                state=str(row.grade),
                state_label=label_of(GRADE_LABELS, row.grade),
                process=row.process_name,
                process_code=row.process_code,
                day=local_date(row.created_at),
                endpoint="audit_work.show",
                # The audit's page, at the finding (`templates/audits/_work_findings.html`).
                url_args={"audit_id": row.audit_id, "_anchor": f"finding-{row.seq}"},
            )
            for row in session.execute(stmt)
        }
