"""Reading a JSON request body into its model, refusing it with the API's usual 400 answer.

The first problem found is named in `error.field` with the messages the API always gave, so
clients that read them keep working: the field is always a top-level one (a problem deep in
`content` names `content`), the message says what the offending value should have been.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from qms.core.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)

# pydantic's error types → the JSON type the value should have had.
_EXPECTED = {
    "string_type": "string",
    "int_type": "integer",
    "int_from_float": "integer",
    "bool_type": "boolean",
    "list_type": "array",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "float_type": "number",
}


def parse_body(model: type[M]) -> M:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        message = _l("Send a JSON object with Content-Type: application/json.")
        raise ValidationFailed(str(message), field="body")
    fields = model.model_fields
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise _unknown(unknown)
    # A required field sent as null is missing, not mistyped.
    for name, info in fields.items():
        if info.is_required() and data.get(name) is None:
            raise ValidationFailed(str(_l("This field is required.")), field=name)
    # An optional field left out is fine; sent as null it is refused unless its schema says
    # null (pydantic would take it as the default).
    for name in [name for name, value in data.items() if value is None]:
        types = _declared_types(model, name)
        if types and "null" not in types:
            raise _expected(types, name)
    try:
        return model.model_validate(data)
    except ValidationError as refused:
        raise _refusal(model, refused.errors()[0]) from None


def _unknown(names: list[str], field: str = "") -> ValidationFailed:
    message = _l("Unknown field: %(names)s", names=", ".join(names))
    return ValidationFailed(str(message), field=field or names[0])


def _refusal(model: type[BaseModel], error: ErrorDetails) -> ValidationFailed:
    path = [str(part) for part in error["loc"]]
    field = path[0]
    if error["type"] == "extra_forbidden":
        return _unknown([path[-1]], field)
    if error["type"] == "missing":
        return ValidationFailed(str(_l("This field is required.")), field=field)
    types = _declared_types(model, path[0]) if len(path) == 1 else []
    if not types:
        types = [_EXPECTED.get(error["type"], "string")]
    return _expected(types, field)


def _expected(types: list[str], field: str) -> ValidationFailed:
    return ValidationFailed(str(_l("Expected %(types)s.", types=" or ".join(types))), field=field)


def _declared_types(model: type[BaseModel], name: str) -> list[str]:
    """The JSON types the document gives a top-level field, e.g. `["string", "null"]`."""
    schema: dict[str, Any] = model.model_json_schema()["properties"].get(name, {})
    options = schema.get("anyOf", [schema])
    return [option["type"] for option in options if isinstance(option.get("type"), str)]
