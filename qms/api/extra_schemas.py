"""Schemas and serializers of the change-request, type-admin, master-list and my-work endpoints.

They join `qms.api.schemas.SCHEMAS` (which imports this module) like document_schemas does, so
nothing here imports that module.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qms.api.document_schemas import DOCUMENT_SCHEMAS, type_as_dict
from qms.documents.in_force import shown_state
from qms.documents.master_list import DueReview, MasterListRow
from qms.documents.models import (
    ChangeRequest,
    ChangeRequestKind,
    ChangeRequestState,
    DocumentType,
    DocumentVersion,
    VersionState,
)
from qms.documents.my_work import MyWork, ReviewDue


def _nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list(name: str) -> dict[str, Any]:
    return _object({"items": {"type": "array", "items": _ref(name)}})


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
_KIND = {"type": "string", "enum": [k.value for k in ChangeRequestKind]}
_STATE = {"type": "string", "enum": [s.value for s in VersionState]}
_ROUTE = {
    "type": "object",
    "description": "`{review: {roles, users, count, sequential}, approval: {...}}`.",
}
_TYPE_FIELDS: dict[str, Any] = {
    "name": _STRING,
    "abbreviation": {"type": "string", "description": "1–10 uppercase letters or digits."},
    "code_pattern": {"type": "string", "description": "e.g. `{process}-{type}-{seq:02}`."},
    "default_blocks": {"type": "array", "items": _STRING},
    "review_interval_months": {"type": "integer", "minimum": 1, "maximum": 120},
    "route": _ROUTE,
    "is_external": _BOOLEAN,
    "distinct_signers": {
        "type": "boolean",
        "description": "Segregation of duties (default true): whoever reviews a version does "
        "not also approve it.",
    },
}
TYPE_FIELDS = tuple(_TYPE_FIELDS)  # what a PATCH may change: all but the key
_ROW: dict[str, Any] = {
    "document_id": _INTEGER,
    "code": _STRING,
    "title": _STRING,
    "type": {"type": "string", "description": "The type's key."},
    "process": {"type": "string", "description": "The process code."},
    "version": _INTEGER,
    "effective_from": _nullable("string", format="date"),
    "owner": _STRING,
    "next_review_on": _nullable("string", format="date"),
    "state": _STATE,
}

EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {
    "ChangeRequest": _object(
        {
            "id": _INTEGER,
            "kind": _KIND,
            "state": {"type": "string", "enum": [s.value for s in ChangeRequestState]},
            "reason": _STRING,
            "document_id": _nullable("integer"),
            "document_code": _nullable("string"),
            "proposed_title": _STRING,
            "proposed_type_id": _nullable("integer"),
            "proposed_process_id": _nullable("integer"),
            "requested_by_id": _INTEGER,
            "requested_by": _STRING,
            "requested_at": _MOMENT,
            "decided_by_id": _nullable("integer"),
            "decided_at": _nullable("string", format="date-time"),
            "decision_reason": _STRING,
            "version_ids": {
                "type": "array",
                "items": _INTEGER,
                "description": "Versions opened from the request that the reader may see.",
            },
        }
    ),
    "ChangeRequestList": _list("ChangeRequest"),
    "ManagedDocumentType": _object(
        {**DOCUMENT_SCHEMAS["DocumentType"]["properties"], "active": _BOOLEAN},
        description="A document type as its administrators see it, active or not.",
    ),
    "MasterListRow": _object(_ROW),
    "MasterList": _list("MasterListRow"),
    "DueReview": _object(
        {**_ROW, "days_overdue": {"type": "integer", "description": "Negative: due in as many."}}
    ),
    "DueReviewList": _list("DueReview"),
    "WorkVersion": _object(
        {
            "id": _INTEGER,
            "document_id": _INTEGER,
            "document_code": _STRING,
            "document_title": _STRING,
            "number": _INTEGER,
            "state": _STATE,
        }
    ),
    "WorkReview": _object(
        {
            "document_id": _INTEGER,
            "document_code": _STRING,
            "document_title": _STRING,
            "due_on": _DATE,
            "is_overdue": _BOOLEAN,
        }
    ),
    "MyWork": _object(
        {
            "drafts": {"type": "array", "items": _ref("WorkVersion")},
            "to_sign": {"type": "array", "items": _ref("WorkVersion")},
            "reviews_due": {"type": "array", "items": _ref("WorkReview")},
            "change_requests": {"type": "array", "items": _ref("ChangeRequest")},
        },
        description="Drafts I own, versions waiting for my signature, reviews due, requests.",
    ),
    # Request bodies.
    "ChangeRequestCreate": _object(
        {
            "kind": _KIND,
            "reason": _STRING,
            "document_id": {"type": "integer", "description": "For modify and withdraw."},
            "proposed_title": {"type": "string", "description": "For create."},
            "proposed_type_id": {"type": "integer", "description": "For create."},
            "proposed_process_id": {"type": "integer", "description": "For create."},
        },
        optional=("document_id", "proposed_title", "proposed_type_id", "proposed_process_id"),
    ),
    "ChangeRequestAccept": _object({"reason": _STRING}, optional=("reason",)),
    "ChangeRequestReject": _object({"reason": _STRING}),
    "DocumentTypeCreate": _object(
        {"key": {"type": "string", "description": "Lowercase, never changes."}, **_TYPE_FIELDS},
        optional=(
            "default_blocks",
            "review_interval_months",
            "route",
            "is_external",
            "distinct_signers",
        ),
    ),
    "DocumentTypeUpdate": _object(
        _TYPE_FIELDS,
        optional=tuple(_TYPE_FIELDS),
        description="Changes what it names; the rest stays. Earlier documents keep their codes.",
    ),
    "CodeCorrection": _object({"code": _STRING, "reason": _STRING}),
}


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def change_request_as_dict(request: ChangeRequest, version_ids: list[int]) -> dict[str, Any]:
    """`version_ids`: those the reader may see (the edge filters them)."""
    return {
        "id": request.id,
        "kind": request.kind,
        "state": request.state,
        "reason": request.reason,
        "document_id": request.document_id,
        "document_code": request.document.code if request.document else None,
        "proposed_title": request.proposed_title,
        "proposed_type_id": request.proposed_type_id,
        "proposed_process_id": request.proposed_process_id,
        "requested_by_id": request.requested_by_id,
        "requested_by": request.requested_by.full_name,
        "requested_at": request.requested_at.isoformat(),
        "decided_by_id": request.decided_by_id,
        "decided_at": _moment(request.decided_at),
        "decision_reason": request.decision_reason,
        "version_ids": version_ids,
    }


def managed_type_as_dict(doc_type: DocumentType) -> dict[str, Any]:
    return {**type_as_dict(doc_type), "active": doc_type.active}


def row_as_dict(row: MasterListRow) -> dict[str, Any]:
    return {"document_id": row.document_id, **row.as_json()}


def due_review_as_dict(due: DueReview) -> dict[str, Any]:
    return {**row_as_dict(due.row), "days_overdue": due.days_overdue}


def work_version_as_dict(version: DocumentVersion) -> dict[str, Any]:
    return {
        "id": version.id,
        "document_id": version.document_id,
        "document_code": version.document.code,
        "document_title": version.document.title,
        "number": version.number,
        "state": shown_state(version),
    }


def work_review_as_dict(due: ReviewDue) -> dict[str, Any]:
    return {
        "document_id": due.document.id,
        "document_code": due.document.code,
        "document_title": due.document.title,
        "due_on": _day(due.due_on),
        "is_overdue": due.is_overdue,
    }


def my_work_as_dict(work: MyWork, change_requests: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "drafts": [work_version_as_dict(v) for v in work.drafts],
        "to_sign": [work_version_as_dict(v) for v in work.to_sign],
        "reviews_due": [work_review_as_dict(r) for r in work.reviews_due],
        "change_requests": change_requests,
    }
