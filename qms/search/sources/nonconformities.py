"""Nonconformities in the index: what was found, the containment, every round's root-cause
analysis, the actions with their deliverables and evidence, the effectiveness checks and the
notes appended after closing; the clause cited; who reported, treats, owns and signed them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload
from whoosh import query as q

from qms.capa.forms import STATE_LABELS
from qms.capa.models import CapaAction, Nonconformity, RootCauseAnalysis
from qms.capa.services import nonconformity_visibility
from qms.core.permissions import Permission
from qms.processes.models import Process
from qms.search.sources.base import Entry, Shown, entry
from qms.search.sources.records import joined, json_texts, label_of, led_processes_filter

P = Permission
KIND = "nonconformity"


def _analysis_texts(analysis: RootCauseAnalysis) -> list[str]:
    # The method's data: the whys of a 5-whys, the causes of each Ishikawa category.
    return [analysis.justification, analysis.root_cause, *json_texts(analysis.data or {})]


def _entry(nc: Nonconformity) -> Entry:
    process = nc.process
    content = joined(
        [
            nc.description,
            nc.containment,
            nc.decision_reason,
            nc.check_criterion,
            *(text for analysis in nc.analyses for text in _analysis_texts(analysis)),
            *(
                text
                for action in nc.actions
                for text in (action.description, action.deliverable, action.evidence)
            ),
            *(check.evidence for check in nc.checks),
            *(text for note in nc.notes for text in (note.text, note.reason)),
        ]
    )
    people = [
        nc.reported_by.full_name,
        nc.detected_by,
        process.leader.full_name if process.leader else None,
        *(action.owner.full_name for action in nc.actions),
        *(analysis.analysed_by.full_name for analysis in nc.analyses),
        *(check.printed_name for check in nc.checks),
    ]
    return entry(
        KIND,
        nc.id,
        code=nc.code,
        title=nc.title,
        content=content,
        state=str(nc.state),
        # The year in its code: the year it was detected (a local calendar date).
        year=nc.year,
        process=process.name,
        process_code=process.code,
        clauses=[nc.iso_clause] if nc.iso_clause else [],
        people=people,
    )


class NonconformitySource:
    kind: ClassVar[str] = KIND
    object_types: ClassVar[frozenset[str]] = frozenset({"nonconformity", "capa_action", "process"})
    aliases: ClassVar[tuple[str, ...]] = ("nc", "noconformidad", "nonconformity")

    def label(self) -> str:
        return _("Nonconformity")

    def ids(self) -> sa.Select[Any]:
        return sa.select(Nonconformity.id).order_by(Nonconformity.id)

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        if object_type == "nonconformity":
            return set(object_ids)
        if object_type == "capa_action":  # an action's event: its nonconformity's entry
            stmt = sa.select(CapaAction.nonconformity_id).where(CapaAction.id.in_(object_ids))
        elif object_type == "process":  # renamed or a new leader: its nonconformities
            stmt = sa.select(Nonconformity.id).where(Nonconformity.process_id.in_(object_ids))
        else:
            return set()
        return set(session.scalars(stmt))

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        stmt = (
            sa.select(Nonconformity)
            .where(Nonconformity.id.in_(list(ids)))
            .options(
                selectinload(Nonconformity.process).selectinload(Process.leader),
                selectinload(Nonconformity.analyses),
                selectinload(Nonconformity.actions),
                selectinload(Nonconformity.checks),
                selectinload(Nonconformity.notes),
            )
        )
        return {nc.id: _entry(nc) for nc in session.scalars(stmt)}

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        return led_processes_filter(
            session,
            KIND,
            Nonconformity.id,
            nonconformity_visibility(actor),
            Nonconformity.process_id,
            actor,
        )

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        wanted = list(ids)
        if not wanted:
            return {}
        stmt = (
            sa.select(
                Nonconformity.id,
                Nonconformity.code,
                Nonconformity.title,
                Nonconformity.state,
                Nonconformity.detected_on,
                Process.code.label("process_code"),
                Process.name.label("process_name"),
            )
            .join(Process, Process.id == Nonconformity.process_id)
            .where(Nonconformity.id.in_(wanted), nonconformity_visibility(actor))
        )
        return {
            row.id: Shown(
                kind=KIND,
                object_id=row.id,
                code=row.code,
                title=row.title,
                state=str(row.state),
                state_label=label_of(STATE_LABELS, row.state),
                process=row.process_name,
                process_code=row.process_code,
                day=row.detected_on,
                endpoint="capa.show",
                url_args={"nc_id": row.id},
            )
            for row in session.execute(stmt)
        }
