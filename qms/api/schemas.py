"""Response shapes: the JSON Schemas the document publishes and the functions that fill them.

Each serializer sits beside its schema so that a field added to one is seen missing in the
other; a test checks every response against its schema.
"""

from __future__ import annotations

from typing import Any

from qms.api.document_schemas import DOCUMENT_SCHEMAS
from qms.api.extra_schemas import EXTRA_SCHEMAS
from qms.core.permissions import permissions_of
from qms.processes.models import ProcessType
from qms.users.models import User


def _nullable(type_: str, **extra: Any) -> dict[str, Any]:
    return {"type": [type_, "null"], **extra}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
        **extra,
    }


_USER_PROPERTIES: dict[str, Any] = {
    "id": {"type": "integer"},
    "username": {"type": "string"},
    "full_name": {"type": "string"},
    "job_title": {"type": "string"},
    "email": {"type": "string"},
    "locale": {"type": "string", "enum": ["es", "en"]},
    "active": {"type": "boolean"},
    "roles": {"type": "array", "items": {"type": "string"}},
    "created_at": {"type": "string", "format": "date-time"},
    "deactivated_at": _nullable("string", format="date-time"),
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": _object(
        {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "Stable, machine-readable."},
                    "message": {"type": "string", "description": "For people; translated."},
                    "field": {"type": "string", "description": "The offending input."},
                },
            }
        }
    ),
    "User": _object(_USER_PROPERTIES, description="An account; never its password."),
    "Me": _object(
        {
            **_USER_PROPERTIES,
            "permissions": {"type": "array", "items": {"type": "string"}},
        },
        description="The token's owner and the permissions the token carries.",
    ),
    "UserList": _object({"items": {"type": "array", "items": _ref("User")}}),
    "Process": _object(
        {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "type": {"type": "string", "enum": [t.value for t in ProcessType]},
            "objective": {"type": "string"},
            "parent_id": _nullable("integer"),
            "leader_id": _nullable("integer"),
            "member_ids": {"type": "array", "items": {"type": "integer"}},
            "active": {"type": "boolean"},
        }
    ),
    "ProcessList": _object({"items": {"type": "array", "items": _ref("Process")}}),
    "TrailEvent": _object(
        {
            "seq": {"type": "integer"},
            "occurred_at": {"type": "string", "format": "date-time"},
            "actor": _nullable("string"),
            "action": {"type": "string"},
            "object_type": {"type": "string"},
            "object_id": {"type": "string"},
            "before": _nullable("object"),
            "after": _nullable("object"),
            "reason": {"type": "string"},
            "client_address": {"type": "string"},
            "hash": {"type": "string"},
            "prev_hash": {"type": "string"},
        },
        description="One event of the hash-chained trail.",
    ),
    "TrailPage": _object(
        {
            "items": {"type": "array", "items": _ref("TrailEvent")},
            "total": {"type": "integer", "description": "Events matching the filters."},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
        }
    ),
    "OpenAPI": {"type": "object", "description": "This document."},
    **DOCUMENT_SCHEMAS,
    **EXTRA_SCHEMAS,
}


def user_as_dict(user: User) -> dict[str, Any]:
    """Plain values of an account: never a password or token hash."""
    return {
        "id": user.id,
        "username": user.username,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "email": user.email,
        "locale": user.locale,
        "active": user.active,
        "roles": sorted(user.role_names),
        "created_at": user.created_at.isoformat(),
        "deactivated_at": user.deactivated_at.isoformat() if user.deactivated_at else None,
    }


def me_as_dict(user: User) -> dict[str, Any]:
    return {
        **user_as_dict(user),
        "permissions": sorted(p.value for p in permissions_of(user.role_names)),
    }
