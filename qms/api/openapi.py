"""The OpenAPI 3.1 document, built from the route registry and the schemas."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from qms.api.components import component_schemas
from qms.api.registry import ApiRegistry, Operation, shape_name

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
SECURITY_SCHEME = "bearerToken"

# Flask's `<converter:name>` (the converter optional, possibly with arguments).
_RULE_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_CONVERTER_TYPES = {"int": "integer", "float": "number"}

_ERRORS = {
    "BadRequest": "A query parameter is unknown, repeated or invalid.",
    "Unauthorized": "No token, or the token is unknown, revoked, or its owner deactivated.",
    "Forbidden": "The token's owner lacks the permission.",
    "NotFound": "No such object, or the token's owner may not see it.",
    "Conflict": "The object changed meanwhile (a lost race) or is not in a state for this.",
    "TooManyAttempts": (
        "Too many wrong passwords: the account is locked for a while (the same lockout as the "
        "sign-in page)."
    ),
    "Busy": "The database stayed busy longer than the server waits: retry after `Retry-After`.",
}
_BODY_ERRORS = "A field of the body is missing, unknown or invalid (`error.field` names it)."
_CHANGE_REFUSED = (
    "No permission, a guard (e.g. authors do not sign their own versions; whoever reviewed a "
    "version does not approve it: `duties_not_separated`, recorded in the trail), or a wrong "
    "signing password (`signature_refused`, recorded in the trail)."
)

_CHALLENGE = {
    "WWW-Authenticate": {
        "description": '`Bearer realm="qms"`, with `error="invalid_token"` when one was sent.',
        "schema": {"type": "string"},
    }
}


_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    }
}


def openapi_path(rule: str) -> str:
    """`/users/<int:user_id>` → `/users/{user_id}`."""
    return _RULE_VARIABLE.sub(lambda m: "{" + m.group("name") + "}", rule)


def path_parameters(rule: str) -> list[dict[str, Any]]:
    return [
        {
            "name": m.group("name"),
            "in": "path",
            "required": True,
            "schema": {"type": _CONVERTER_TYPES.get(m.group("converter") or "", "string")},
        }
        for m in _RULE_VARIABLE.finditer(rule)
    ]


def _error_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{name}"}


def _ref(shape: type[BaseModel] | str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{shape_name(shape)}"}


def _takes_password(op: Operation) -> bool:
    """Signing operations re-authenticate: their body has a `password`."""
    return op.body is not None and "password" in op.body.model_fields


def _operation(op: Operation) -> dict[str, Any]:
    parameters = path_parameters(op.rule) + [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description,
            "schema": p.schema(),
        }
        for p in op.params
    ]
    responses: dict[str, Any] = {
        "200": {
            "description": "OK",
            "content": {op.media_type: {"schema": _ref(op.response)}},
        }
    }
    changes = op.method != "GET"
    if op.params:
        responses["400"] = _error_ref("BadRequest")
    if op.body is not None:
        responses["400"] = {**_error_ref("BadRequest"), "description": _BODY_ERRORS}
    if not op.public:
        responses["401"] = _error_ref("Unauthorized")
    if op.permission is not None or changes:
        responses["403"] = _error_ref("Forbidden")
        if changes:
            responses["403"] = {**responses["403"], "description": _CHANGE_REFUSED}
    if "<" in op.rule:
        responses["404"] = _error_ref("NotFound")
    if changes:
        responses["409"] = _error_ref("Conflict")
    if _takes_password(op):
        responses["429"] = _error_ref("TooManyAttempts")
    responses["503"] = _error_ref("Busy")
    description = op.description
    if op.permission is not None:
        description = f"{description}\n\nRequires the permission `{op.permission}`.".strip()
    document: dict[str, Any] = {
        "operationId": op.endpoint.replace(".", "_"),
        "summary": op.summary,
        "tags": [op.tag],
        "responses": responses,
    }
    if description:
        document["description"] = description
    if parameters:
        document["parameters"] = parameters
    if op.body is not None:
        schema = _ref(op.body)
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": schema}},
        }
    if getattr(op, "raw_body", False):
        # The file's own bytes, typed by Content-Type; MAX_CONTENT_LENGTH bounds them (413).
        document["requestBody"] = {
            "required": True,
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
        document.setdefault("responses", {})["413"] = {"description": "Larger than the limit."}
    if op.public:
        document["security"] = []  # overrides the document-wide bearer requirement
    if op.permission is not None:
        document["x-permission"] = str(op.permission)
        if op.own:
            document["x-permission-own-objects"] = True
    return document


def build_document(registry: ApiRegistry, server_url: str) -> dict[str, Any]:
    """The whole document; paths are relative to `server_url` (the blueprint's prefix)."""
    paths: dict[str, dict[str, Any]] = {}
    for op in registry.operations:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op)
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "QMS API",
            "version": API_VERSION,
            "description": (
                "The quality-management system, under the same rules as its pages. "
                "Authenticate with a personal "
                "API token (My profile → API tokens, or `qms token create USERNAME`) sent as "
                "`Authorization: Bearer <token>`; it carries exactly its owner's permissions. "
                'Every error is JSON: `{"error": {"code": ..., "message": ...}}`. Signing '
                "operations take the token owner's account password again in the body."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{SECURITY_SCHEME: []}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in registry.operations)],
        "paths": paths,
        "components": {
            "securitySchemes": {
                SECURITY_SCHEME: {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (it starts with `qms_`).",
                }
            },
            "schemas": component_schemas(registry.operations),
            "responses": {
                name: {"description": text, "content": error_content}
                | ({"headers": _CHALLENGE} if name == "Unauthorized" else {})
                | ({"headers": _RETRY_AFTER} if name == "Busy" else {})
                for name, text in _ERRORS.items()
            },
        },
    }
