"""Nonconformities in the API: the JSON Schemas of bodies and responses, and their serializers.

`qms.api.capa` joins these to `qms.api.schemas.SCHEMAS`; like document_schemas, nothing here
imports that module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from qms.capa.models import (
    ActionKind,
    ActionStatus,
    AnalysisMethod,
    CapaAction,
    CheckResult,
    EffectivenessCheck,
    NcSource,
    NcState,
    Nonconformity,
    NonconformityNote,
    RootCauseAnalysis,
    Severity,
)
from qms.capa.treatment import CATEGORIES


def _nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(name: str) -> dict[str, Any]:
    return {"type": "array", "items": _ref(name)}


def _enum(values: type[Any]) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


def _object(
    properties: dict[str, Any], *, optional: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


_STRING = {"type": "string"}
_INTEGER = {"type": "integer"}
_BOOLEAN = {"type": "boolean"}
_DATE = {"type": "string", "format": "date"}
_MOMENT = {"type": "string", "format": "date-time"}
_PASSWORD = {
    "type": "string",
    "format": "password",
    "description": "The token owner's account password: signing re-authenticates.",
}
_ANALYSIS_DATA = {
    "type": "object",
    "description": (
        "five_whys: `{whys: [text], root_causes: [index]}` (default: the last why); "
        "ishikawa: `{causes: {method|manpower|machinery|materials|measurement|environment: "
        "[text]}, root_causes: [[category, index]]}`."
    ),
}

_SUMMARY: dict[str, Any] = {
    "id": _INTEGER,
    "code": {"type": "string", "description": "NC-YYYY-NNNN."},
    "state": _enum(NcState),
    "round": {"type": "integer", "description": "1, plus one per reopening."},
    "source": _enum(NcSource),
    "severity": _enum(Severity),
    "process_id": _INTEGER,
    "process": {"type": "string", "description": "The process code."},
    "title": _STRING,
    "detected_on": _DATE,
    "reported_by_id": _INTEGER,
    "reported_by": _STRING,
    "reported_at": _MOMENT,
    "closed_at": _nullable("string", format="date-time"),
}

_ANALYSIS = _object(
    {
        "id": _INTEGER,
        "round": _INTEGER,
        "action_needed": _BOOLEAN,
        "justification": {"type": "string", "description": "Why no action, when none."},
        "method": {"type": "string", "enum": ["", *[m.value for m in AnalysisMethod]]},
        "data": _ANALYSIS_DATA,
        "root_cause": {"type": "string", "description": "The chosen causes, as text."},
        "analysed_by_id": _INTEGER,
        "analysed_by": _STRING,
        "analysed_at": _MOMENT,
    }
)

CAPA_SCHEMAS: dict[str, dict[str, Any]] = {
    "NonconformitySummary": _object(_SUMMARY),
    "NonconformityList": _object({"items": _list("NonconformitySummary")}),
    "RootCauseAnalysis": _ANALYSIS,
    "CapaAction": _object(
        {
            "id": _INTEGER,
            "nonconformity_id": _INTEGER,
            "round": _INTEGER,
            "kind": _enum(ActionKind),
            "description": _STRING,
            "owner_id": _INTEGER,
            "owner": _STRING,
            "due_on": _DATE,
            "deliverable": _STRING,
            "status": _enum(ActionStatus),
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "evidence": _STRING,
            "change_request_id": _nullable("integer"),
            "created_by_id": _INTEGER,
            "created_at": _MOMENT,
            "completed_at": _nullable("string", format="date-time"),
        }
    ),
    "EffectivenessCheck": _object(
        {
            "id": _INTEGER,
            "round": _INTEGER,
            "result": _enum(CheckResult),
            "evidence": _STRING,
            "signed_by_id": _INTEGER,
            "printed_name": _STRING,
            "job_title": _STRING,
            "signed_at": _MOMENT,
        },
        description="A signed effectiveness check; not effective reopened the nonconformity.",
    ),
    "NonconformityNote": _object(
        {
            "id": _INTEGER,
            "text": _STRING,
            "reason": _STRING,
            "author_id": _INTEGER,
            "created_at": _MOMENT,
        }
    ),
    "Nonconformity": _object(
        {
            **_SUMMARY,
            "description": _STRING,
            "detected_by": _STRING,
            "document_id": _nullable("integer"),
            "version_id": _nullable("integer"),
            "iso_clause": _STRING,
            "decided_by_id": _nullable("integer"),
            "decision_reason": _STRING,
            "containment": _STRING,
            "contained_by_id": _nullable("integer"),
            "contained_at": _nullable("string", format="date-time"),
            "check_due_on": _nullable("string", format="date"),
            "check_criterion": _STRING,
            "analysis": {
                **_ANALYSIS,
                "type": ["object", "null"],
                "description": "The current round's analysis; null before it is recorded.",
            },
            "analyses": {**_list("RootCauseAnalysis"), "description": "Every round's."},
            "actions": {**_list("CapaAction"), "description": "Every round's, with its round."},
            "checks": _list("EffectivenessCheck"),
            "notes": {**_list("NonconformityNote"), "description": "Appended after closing."},
        }
    ),
    "CapaActionChange": _object(
        {"action": _ref("CapaAction"), "nonconformity": _ref("Nonconformity")},
        description="The action as it now is, and its nonconformity.",
    ),
    "SignedCheck": _object(
        {"check": _ref("EffectivenessCheck"), "nonconformity": _ref("Nonconformity")}
    ),
    # Request bodies.
    "NonconformityReport": _object(
        {
            "source": _enum(NcSource),
            "process_id": _INTEGER,
            "title": _STRING,
            "description": _STRING,
            "detected_on": {**_DATE, "description": "Not in the future."},
            "severity": {**_enum(Severity), "description": "Default minor."},
            "detected_by": _STRING,
            "document_id": _INTEGER,
            "version_id": {"type": "integer", "description": "Implies its document."},
            "iso_clause": {"type": "string", "description": "e.g. `8.2.1`."},
        },
        optional=("severity", "detected_by", "document_id", "version_id", "iso_clause"),
    ),
    "NonconformityDiscard": _object({"reason": _STRING}),
    "Containment": _object({"containment": _STRING}),
    "Analysis": _object(
        {
            "action_needed": _BOOLEAN,
            "justification": {"type": "string", "description": "Required without action."},
            "method": {**_enum(AnalysisMethod), "description": "Required with action."},
            "data": _ANALYSIS_DATA,
        },
        optional=("justification", "method", "data"),
    ),
    "CapaActionCreate": _object(
        {
            "kind": _enum(ActionKind),
            "description": _STRING,
            "owner_id": _INTEGER,
            "due_on": _DATE,
            "deliverable": _STRING,
            "change_request_id": {
                "type": "integer",
                "description": "The document change it needs: done once that is in force.",
            },
        },
        optional=("deliverable", "change_request_id"),
    ),
    "PlanApproval": _object({"check_due_on": _DATE, "check_criterion": _STRING}),
    "CapaActionUpdate": _object(
        {
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "evidence": _STRING,
            "done": {"type": "boolean", "description": "Needs evidence."},
        },
        optional=("progress", "evidence", "done"),
    ),
    "EffectivenessSign": _object(
        {"result": _enum(CheckResult), "evidence": _STRING, "password": _PASSWORD}
    ),
    "NonconformityNoteCreate": _object({"text": _STRING, "reason": _STRING}),
}


def _plain(row: Any, schema: str, **computed: Any) -> dict[str, Any]:
    """The schema's fields, read from the row's columns unless `computed`; dates in ISO 8601."""
    values: dict[str, Any] = {}
    for name in CAPA_SCHEMAS[schema]["properties"]:
        value = computed[name] if name in computed else getattr(row, name)
        values[name] = value.isoformat() if isinstance(value, date) else value
    return values


def summary_as_dict(nc: Nonconformity) -> dict[str, Any]:
    return _plain(nc, "NonconformitySummary", **_names(nc))


def _names(nc: Nonconformity) -> dict[str, str]:
    return {"process": nc.process.code, "reported_by": nc.reported_by.full_name}


def analysis_as_dict(analysis: RootCauseAnalysis) -> dict[str, Any]:
    return _plain(
        analysis,
        "RootCauseAnalysis",
        data=analysis.data or {},
        analysed_by=analysis.analysed_by.full_name,
    )


def action_as_dict(action: CapaAction) -> dict[str, Any]:
    return _plain(action, "CapaAction", owner=action.owner.full_name)


def check_as_dict(check: EffectivenessCheck) -> dict[str, Any]:
    return _plain(check, "EffectivenessCheck")


def note_as_dict(note: NonconformityNote) -> dict[str, Any]:
    return _plain(note, "NonconformityNote")


def nonconformity_as_dict(nc: Nonconformity) -> dict[str, Any]:
    current = nc.current_analysis()
    return _plain(
        nc,
        "Nonconformity",
        **_names(nc),
        analysis=analysis_as_dict(current) if current else None,
        analyses=[analysis_as_dict(a) for a in nc.analyses],
        actions=[action_as_dict(a) for a in nc.actions],
        checks=[check_as_dict(c) for c in nc.checks],
        notes=[note_as_dict(n) for n in nc.notes],
    )


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _index(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def analysis_data_fits(method: str, data: dict[str, Any]) -> bool:
    """Whether `data` has the shape `method` reads (see `_ANALYSIS_DATA`). The service reads
    a string of whys letter by letter and fails on an index that is not a number."""
    roots = data.get("root_causes", [])
    if not isinstance(roots, list):
        return False
    if method == AnalysisMethod.FIVE_WHYS:
        return (
            set(data) <= {"whys", "root_causes"}
            and _texts(data.get("whys", []))
            and all(_index(r) for r in roots)
        )
    causes = data.get("causes", {})
    return (
        set(data) <= {"causes", "root_causes"}
        and isinstance(causes, dict)
        and set(causes) <= set(CATEGORIES)
        and all(_texts(v) for v in causes.values())
        and all(
            isinstance(r, list) and len(r) == 2 and isinstance(r[0], str) and _index(r[1])
            for r in roots
        )
    )
