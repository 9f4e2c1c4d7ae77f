"""Request bodies of nonconformities. Kinds and bounds are listed for clients and checked by
the services, which name the field in the pages' words."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from qms.api.models.capa import ANALYSIS_DATA
from qms.api.models.common import Body, DayText, Password, one_of
from qms.capa.models import ActionKind, AnalysisMethod, CheckResult, NcSource, Severity


class NonconformityReport(Body):
    source: str = one_of(NcSource)
    process_id: int
    title: str
    description: str
    detected_on: DayText = Field(description="Not in the future.")
    severity: str = one_of(Severity, default=Severity.MINOR.value, description="Default minor.")
    detected_by: str = ""
    document_id: int | None = None
    version_id: int | None = Field(default=None, description="Implies its document.")
    iso_clause: str = Field(default="", description="e.g. `8.2.1`.")


class NonconformityDiscard(Body):
    reason: str


class Containment(Body):
    containment: str


class Analysis(Body):
    action_needed: bool
    justification: str = Field(default="", description="Required without action.")
    method: str | None = one_of(AnalysisMethod, default=None, description="Required with action.")
    data: dict[str, Any] | None = Field(default=None, description=ANALYSIS_DATA)


class CapaActionCreate(Body):
    kind: str = one_of(ActionKind)
    description: str
    owner_id: int
    due_on: DayText
    deliverable: str = ""
    change_request_id: int | None = Field(
        default=None, description="The document change it needs: done once that is in force."
    )


class PlanApproval(Body):
    check_due_on: DayText
    check_criterion: str


class CapaActionUpdate(Body):
    progress: int | None = Field(default=None, json_schema_extra={"minimum": 0, "maximum": 100})
    evidence: str | None = None
    done: bool = Field(default=False, description="Needs evidence.")


class EffectivenessSign(Body):
    result: str = one_of(CheckResult)
    evidence: str
    password: Password


class NonconformityNoteCreate(Body):
    text: str
    reason: str
