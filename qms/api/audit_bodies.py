"""Internal audits in the API: the JSON Schemas of request bodies, and the small builders that
audit_schemas (the responses) shares. Nothing here imports qms.api.schemas.
"""

from __future__ import annotations

from typing import Any

from qms.audits.models import AgendaKind, Answer, FindingGrade


def nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def array(item: dict[str, Any] | str) -> dict[str, Any]:
    """An array of `item`: a schema, or the name of one in the components."""
    return {"type": "array", "items": ref(item) if isinstance(item, str) else item}


def enum_of(values: type[Any]) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


def closed_object(
    properties: dict[str, Any], *, optional: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """Every property required unless `optional`; nothing else allowed."""
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
DATE = {"type": "string", "format": "date"}
PROGRAMME_TEXTS = {
    "objectives": STRING,
    "scope": STRING,
    "criteria": STRING,
    "risks": STRING,
    "methods": STRING,
    "resources": STRING,
}
_PASSWORD = {
    "type": "string",
    "format": "password",
    "description": "The token owner's account password: signing re-authenticates.",
}
_SEAT = closed_object(
    {
        "user_id": INTEGER,
        "justification": {
            "type": "string",
            "description": "Required when the auditor leads or belongs to an audited process "
            "(independence waived by a quality lead; recorded in the trail).",
        },
    },
    optional=("justification",),
)
_PLAN: dict[str, Any] = {
    "title": STRING,
    "scope": STRING,
    "criteria": STRING,
    "process_ids": array(INTEGER),
    "start_on": DATE,
    "end_on": DATE,
    "lead_auditor": _SEAT,
    "auditors": {**array(_SEAT), "description": "Besides the lead auditor."},
    "auditee_ids": array(INTEGER),
    "clauses": {**array(STRING), "description": "ISO 9001:2015 clause numbers, e.g. `8.2.1`."},
    "objectives": STRING,
    "place": STRING,
    "follow_up_of_id": nullable(
        "integer", description="The audit whose major nonconformities this one follows up."
    ),
}
_PLAN_OPTIONAL = ("auditors", "auditee_ids", "clauses", "objectives", "place", "follow_up_of_id")

AUDIT_BODY_SCHEMAS: dict[str, dict[str, Any]] = {
    "AuditProgrammeSave": closed_object(
        PROGRAMME_TEXTS, optional=("risks", "methods", "resources")
    ),
    "AuditPlanCreate": closed_object(
        {
            "programme_year": {"type": "integer", "description": "Or `programme_id`."},
            "programme_id": INTEGER,
            **_PLAN,
        },
        optional=("programme_year", "programme_id", *_PLAN_OPTIONAL),
    ),
    "AuditPlanEdit": closed_object(
        {
            **_PLAN,
            "start_on": {**DATE, "description": "Unchanged: dates move by rescheduling."},
            "end_on": {**DATE, "description": "Unchanged: dates move by rescheduling."},
        },
        optional=("start_on", "end_on", *_PLAN_OPTIONAL),
        description="The whole plan: an omitted list or text is emptied.",
    ),
    "AuditReschedulePlan": closed_object({"start_on": DATE, "end_on": DATE, "reason": STRING}),
    "AuditCancel": closed_object({"reason": STRING}),
    "AuditAgendaItemCreate": closed_object(
        {
            "kind": enum_of(AgendaKind),
            "day": {**DATE, "description": "A day of the audit, from start_on to end_on."},
            "starts_at": {"type": "string", "description": "HH:MM, local time."},
            "ends_at": {"type": "string", "description": "HH:MM, after starts_at."},
            "process_id": nullable(
                "integer", description="One of the audited processes; required for an interview."
            ),
            "topic": STRING,
            "participants": STRING,
        },
        optional=("process_id", "topic", "participants"),
    ),
    "AuditQuestionCreate": closed_object(
        {"text": STRING, "iso_clause": STRING, "process_id": INTEGER},
        optional=("iso_clause", "process_id"),
    ),
    "AuditQuestionEdit": closed_object({"text": STRING}),
    "AuditAnswer": closed_object(
        {
            "answer": enum_of(Answer),
            "notes": {"type": "string", "description": "Required for nonconforming."},
        },
        optional=("notes",),
    ),
    "AuditFindingCreate": closed_object(
        {
            "grade": enum_of(FindingGrade),
            "process_id": {"type": "integer", "description": "One of the audited processes."},
            "criterion": STRING,
            "evidence": STRING,
            "statement": STRING,
            "iso_clause": STRING,
            "question_id": INTEGER,
        },
        optional=("iso_clause", "question_id"),
    ),
    "AuditReportText": closed_object(
        {"conclusions": STRING, "strengths": STRING, "distribution": STRING},
        optional=("strengths", "distribution"),
    ),
    "AuditReportIssue": closed_object({"password": _PASSWORD}),
    "AuditReportAccept": closed_object(
        {"password": _PASSWORD, "comment": STRING}, optional=("comment",)
    ),
    "AuditorProfileSave": closed_object(
        {"training": STRING, "qualified_on": nullable("string", format="date"), "notes": STRING},
        optional=("qualified_on", "notes"),
    ),
}
