"""Nonconformities (clause 10.2) in the API: the answers. Most fields are the rows' columns."""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field

from qms.api.models.common import Day, Moment, Response, from_row, one_of
from qms.capa.models import (
    ActionKind,
    ActionStatus,
    AnalysisMethod,
    CheckResult,
    NcSource,
    NcState,
    Severity,
)
from qms.capa.models import CapaAction as ActionRow
from qms.capa.models import EffectivenessCheck as CheckRow
from qms.capa.models import Nonconformity as NcRow
from qms.capa.models import NonconformityNote as NoteRow
from qms.capa.models import RootCauseAnalysis as AnalysisRow

ANALYSIS_DATA = (
    "five_whys: `{whys: [text], root_causes: [index]}` (default: the last why); "
    "ishikawa: `{causes: {method|manpower|machinery|materials|measurement|environment: "
    "[text]}, root_causes: [[category, index]]}`."
)


def _names(nc: NcRow) -> dict[str, str]:
    return {"process": nc.process.code, "reported_by": nc.reported_by.full_name}


class NonconformitySummary(Response):
    id: int
    code: str = Field(description="NC-YYYY-NNNN.")
    state: str = one_of(NcState)
    round: int = Field(description="1, plus one per reopening.")
    source: str = one_of(NcSource)
    severity: str = one_of(Severity)
    process_id: int
    process: str = Field(description="The process code.")
    title: str
    detected_on: Day
    reported_by_id: int
    reported_by: str
    reported_at: Moment
    closed_at: Moment | None

    @classmethod
    def of(cls, nc: NcRow) -> Self:
        return from_row(cls, nc, **_names(nc))


class NonconformityList(Response):
    items: list[NonconformitySummary]


class RootCauseAnalysis(Response):
    id: int
    round: int
    action_needed: bool
    justification: str = Field(description="Why no action, when none.")
    method: str = one_of(["", *AnalysisMethod])
    data: dict[str, Any] = Field(description=ANALYSIS_DATA)
    root_cause: str = Field(description="The chosen causes, as text.")
    analysed_by_id: int
    analysed_by: str
    analysed_at: Moment

    @classmethod
    def of(cls, analysis: AnalysisRow) -> Self:
        by = analysis.analysed_by.full_name
        return from_row(cls, analysis, data=analysis.data or {}, analysed_by=by)


class CapaAction(Response):
    id: int
    nonconformity_id: int
    round: int
    kind: str = one_of(ActionKind)
    description: str
    owner_id: int
    owner: str
    due_on: Day
    deliverable: str
    status: str = one_of(ActionStatus)
    progress: int = Field(json_schema_extra={"minimum": 0, "maximum": 100})
    evidence: str
    change_request_id: int | None
    created_by_id: int
    created_at: Moment
    completed_at: Moment | None

    @classmethod
    def of(cls, action: ActionRow) -> Self:
        return from_row(cls, action, owner=action.owner.full_name)


class EffectivenessCheck(Response):
    """A signed effectiveness check; not effective reopened the nonconformity."""

    id: int
    round: int
    result: str = one_of(CheckResult)
    evidence: str
    signed_by_id: int
    printed_name: str
    job_title: str
    signed_at: Moment

    @classmethod
    def of(cls, check: CheckRow) -> Self:
        return from_row(cls, check)


class NonconformityNote(Response):
    id: int
    text: str
    reason: str
    author_id: int
    created_at: Moment

    @classmethod
    def of(cls, note: NoteRow) -> Self:
        return from_row(cls, note)


class Nonconformity(NonconformitySummary):
    description: str
    detected_by: str
    document_id: int | None
    version_id: int | None
    iso_clause: str
    decided_by_id: int | None
    decision_reason: str
    containment: str
    contained_by_id: int | None
    contained_at: Moment | None
    check_due_on: Day | None
    check_criterion: str
    analysis: RootCauseAnalysis | None = Field(
        description="The current round's analysis; null before it is recorded."
    )
    analyses: list[RootCauseAnalysis] = Field(description="Every round's.")
    actions: list[CapaAction] = Field(description="Every round's, with its round.")
    checks: list[EffectivenessCheck]
    notes: list[NonconformityNote] = Field(description="Appended after closing.")

    @classmethod
    def of(cls, nc: NcRow) -> Self:
        current = nc.current_analysis()
        return from_row(
            cls,
            nc,
            **_names(nc),
            analysis=RootCauseAnalysis.of(current) if current else None,
            analyses=[RootCauseAnalysis.of(a) for a in nc.analyses],
            actions=[CapaAction.of(a) for a in nc.actions],
            checks=[EffectivenessCheck.of(c) for c in nc.checks],
            notes=[NonconformityNote.of(n) for n in nc.notes],
        )


class CapaActionChange(Response):
    """The action as it now is, and its nonconformity."""

    action: CapaAction
    nonconformity: Nonconformity


class SignedCheck(Response):
    check: EffectivenessCheck
    nonconformity: Nonconformity
