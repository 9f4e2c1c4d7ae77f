"""Document control in the API: the JSON Schemas of bodies and responses, and their serializers.

The schemas join `qms.api.schemas.SCHEMAS` (which imports this module), so the helpers below
are local: importing that module from here would be circular.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qms.documents.history import HistoryRow
from qms.documents.in_force import shown_state
from qms.documents.models import (
    Attachment,
    Document,
    DocumentType,
    DocumentVersion,
    Origin,
    Signature,
    SignatureMeaning,
    VersionState,
)


def _nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


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
_DATE = {"type": "string", "format": "date"}
_MOMENT = {"type": "string", "format": "date-time"}
_NAMES = {"type": "array", "items": _STRING, "description": "Name — job title, as signed."}
_STATE = {"type": "string", "enum": [s.value for s in VersionState]}
_PASSWORD = {
    "type": "string",
    "format": "password",
    "description": "The token owner's account password: signing re-authenticates.",
}
_BLOCKS = {
    "type": "array",
    "description": "Ordered blocks, e.g. `{kind: text, text}` or `{kind: table, columns, rows}`.",
    "items": {"type": "object", "required": ["kind"], "properties": {"kind": _STRING}},
}

_VERSION_SUMMARY = _object(
    {
        "id": _INTEGER,
        "number": _INTEGER,
        "state": _STATE,
        "effective_from": _nullable("string", format="date"),
    },
)

DOCUMENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "DocumentType": _object(
        {
            "id": _INTEGER,
            "key": _STRING,
            "name": _STRING,
            "abbreviation": _STRING,
            "code_pattern": _STRING,
            "default_blocks": {"type": "array", "items": _STRING},
            "review_interval_months": _INTEGER,
            "route": {"type": "object", "description": "Who reviews and approves, how many."},
            "is_external": {"type": "boolean"},
            "distinct_signers": {
                "type": "boolean",
                "description": "Whoever reviews a version does not also approve it.",
            },
        }
    ),
    "DocumentTypeList": _object({"items": {"type": "array", "items": _ref("DocumentType")}}),
    "VersionSummary": _VERSION_SUMMARY,
    "Document": _object(
        {
            "id": _INTEGER,
            "code": _STRING,
            "title": _STRING,
            "type": _STRING,
            "type_id": _INTEGER,
            "process": _STRING,
            "process_id": _INTEGER,
            "owner_id": _INTEGER,
            "owner": _STRING,
            "parent_id": _nullable("integer"),
            "origin": {"type": "string", "enum": [o.value for o in Origin]},
            "review_interval_months": _INTEGER,
            "retention_years": _INTEGER,
            "external_source": _STRING,
            "external_edition": _STRING,
            "next_verification_on": _nullable("string", format="date"),
            "code_locked": {"type": "boolean"},
            "created_at": _MOMENT,
            "in_force": {**_VERSION_SUMMARY, "type": ["object", "null"]},
            "open_version": {
                **_VERSION_SUMMARY,
                "type": ["object", "null"],
                "description": "The draft or version under way; null when none or hidden.",
            },
            "next_review_on": _nullable("string", format="date"),
        }
    ),
    "DocumentList": _object({"items": {"type": "array", "items": _ref("Document")}}),
    "HistoryRow": _object(
        {
            "version_id": _INTEGER,
            "number": _INTEGER,
            "effective_from": _nullable("string", format="date"),
            "authored": _NAMES,
            "reviewed": _NAMES,
            "approved": _NAMES,
            "change_summary": _STRING,
            "state": _STATE,
        }
    ),
    "VersionHistory": _object({"items": {"type": "array", "items": _ref("HistoryRow")}}),
    "Signature": _object(
        {
            "id": _INTEGER,
            "user_id": _INTEGER,
            "printed_name": _STRING,
            "job_title": _STRING,
            "meaning": {"type": "string", "enum": [m.value for m in SignatureMeaning]},
            "signed_at": _MOMENT,
            "comment": _STRING,
            "content_sha256": _STRING,
            "round": _INTEGER,
        },
        description="Never editable; name and job title as they were at signing.",
    ),
    "Attachment": _object(
        {
            "id": _INTEGER,
            "filename": _STRING,
            "media_type": _STRING,
            "size": _INTEGER,
            "sha256": _STRING,
            "created_at": _MOMENT,
        }
    ),
    "Version": _object(
        {
            "id": _INTEGER,
            "document_id": _INTEGER,
            "document_code": _STRING,
            "number": _INTEGER,
            "state": _STATE,
            "change_summary": _STRING,
            "content": _BLOCKS,
            "content_sha256": {"type": "string", "description": "Empty until submitted."},
            "round": _INTEGER,
            "effective_from": _nullable("string", format="date"),
            "author_id": _INTEGER,
            "author": _STRING,
            "created_at": _MOMENT,
            "submitted_at": _nullable("string", format="date-time"),
            "approved_at": _nullable("string", format="date-time"),
            "effective_at": _nullable("string", format="date-time"),
            "superseded_at": _nullable("string", format="date-time"),
            "obsolete_at": _nullable("string", format="date-time"),
            "signatures": {"type": "array", "items": _ref("Signature")},
            "attachments": {"type": "array", "items": _ref("Attachment")},
        }
    ),
    "SignedVersion": _object({"signature": _ref("Signature"), "version": _ref("Version")}),
    "Binary": {"type": "string", "contentMediaType": "application/octet-stream"},
    # Request bodies.
    "DocumentCreate": _object(
        {
            "title": _STRING,
            "type_id": _INTEGER,
            "type": {"type": "string", "description": "A type key, instead of type_id."},
            "process_id": _INTEGER,
            "process": {"type": "string", "description": "A process code, instead of process_id."},
            "owner_id": {"type": "integer", "description": "Defaults to the token's owner."},
            "parent_id": _INTEGER,
            "review_interval_months": _INTEGER,
            "retention_years": _INTEGER,
            "external_source": _STRING,
            "external_edition": _STRING,
            "next_verification_on": _DATE,
        },
        optional=(
            "type_id",
            "type",
            "process_id",
            "process",
            "owner_id",
            "parent_id",
            "review_interval_months",
            "retention_years",
            "external_source",
            "external_edition",
            "next_verification_on",
        ),
    ),
    "DraftUpdate": _object(
        {"content": _BLOCKS, "change_summary": _STRING},
        optional=("content", "change_summary"),
        description="Replaces what it names, all or nothing.",
    ),
    "Submit": _object({"password": _PASSWORD}),
    "Review": _object({"password": _PASSWORD, "comment": _STRING}, optional=("comment",)),
    "Approve": _object(
        {"password": _PASSWORD, "comment": _STRING, "effective_from": _DATE},
        optional=("comment", "effective_from"),
    ),
    "Reject": _object({"password": _PASSWORD, "reason": _STRING}),
    "Discard": _object({"reason": _STRING}),
    "Withdraw": _object({"password": _PASSWORD, "reason": _STRING}),
    "PeriodicReview": _object({"password": _PASSWORD, "comment": _STRING}, optional=("comment",)),
}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def type_as_dict(doc_type: DocumentType) -> dict[str, Any]:
    return {
        "id": doc_type.id,
        "key": doc_type.key,
        "name": doc_type.name,
        "abbreviation": doc_type.abbreviation,
        "code_pattern": doc_type.code_pattern,
        "default_blocks": list(doc_type.default_blocks or []),
        "review_interval_months": doc_type.review_interval_months,
        "route": dict(doc_type.route or {}),
        "is_external": doc_type.is_external,
        "distinct_signers": doc_type.distinct_signers,
    }


def version_summary(version: DocumentVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "id": version.id,
        "number": version.number,
        "state": shown_state(version),
        "effective_from": _day(version.effective_from),
    }


def document_as_dict(
    document: Document,
    *,
    in_force: DocumentVersion | None,
    open_version: DocumentVersion | None,
    next_review_on: date | None,
) -> dict[str, Any]:
    """`open_version` only when the caller may see it: the edge decides, not the serializer."""
    return {
        "id": document.id,
        "code": document.code,
        "title": document.title,
        "type": document.type.key,
        "type_id": document.type_id,
        "process": document.process.code,
        "process_id": document.process_id,
        "owner_id": document.owner_id,
        "owner": document.owner.full_name,
        "parent_id": document.parent_id,
        "origin": document.origin,
        "review_interval_months": document.review_interval_months,
        "retention_years": document.retention_years,
        "external_source": document.external_source,
        "external_edition": document.external_edition,
        "next_verification_on": _day(document.next_verification_on),
        "code_locked": document.code_locked,
        "created_at": document.created_at.isoformat(),
        "in_force": version_summary(in_force),
        "open_version": version_summary(open_version),
        "next_review_on": _day(next_review_on),
    }


def history_row_as_dict(row: HistoryRow) -> dict[str, Any]:
    return {
        "version_id": row.version_id,
        "number": row.number,
        "effective_from": _day(row.effective_from),
        "authored": list(row.authored),
        "reviewed": list(row.reviewed),
        "approved": list(row.approved),
        "change_summary": row.change_summary,
        "state": row.state,
    }


def signature_as_dict(signature: Signature) -> dict[str, Any]:
    return {
        "id": signature.id,
        "user_id": signature.user_id,
        "printed_name": signature.printed_name,
        "job_title": signature.job_title,
        "meaning": signature.meaning,
        "signed_at": signature.signed_at.isoformat(),
        "comment": signature.comment,
        "content_sha256": signature.content_sha256,
        "round": signature.round,
    }


def attachment_as_dict(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "sha256": attachment.blob_sha256,
        "created_at": attachment.created_at.isoformat(),
    }


def version_as_dict(version: DocumentVersion, signatures: list[Signature]) -> dict[str, Any]:
    """`signatures` as filtered by the edge for the reader (see documents.shown_signatures)."""
    return {
        "id": version.id,
        "document_id": version.document_id,
        "document_code": version.document.code,
        "number": version.number,
        "state": shown_state(version),
        "change_summary": version.change_summary,
        "content": [dict(block) for block in version.content],
        "content_sha256": version.content_sha256,
        "round": version.round,
        "effective_from": _day(version.effective_from),
        "author_id": version.author_id,
        "author": version.author.full_name,
        "created_at": version.created_at.isoformat(),
        "submitted_at": _moment(version.submitted_at),
        "approved_at": _moment(version.approved_at),
        "effective_at": _moment(version.effective_at),
        "superseded_at": _moment(version.superseded_at),
        "obsolete_at": _moment(version.obsolete_at),
        "signatures": [signature_as_dict(s) for s in signatures],
        "attachments": [attachment_as_dict(a) for a in version.attachments],
    }
