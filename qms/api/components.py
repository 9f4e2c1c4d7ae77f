"""`components.schemas` of the OpenAPI document, generated from the operations' models.

OpenAPI 3.1 takes JSON Schema 2020-12, which is what pydantic writes: each model's schema is
published under its class name and the models it nests (its `$defs`) beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from qms.api.models.common import Error
from qms.api.registry import Operation
from qms.blobs.filetypes import DOCX

REF_TEMPLATE = "#/components/schemas/{model}"

# Answers that are no JSON object of a model.
STATIC_SCHEMAS: dict[str, dict[str, Any]] = {
    "OpenAPI": {"type": "object", "description": "This document."},
    "Binary": {"type": "string", "contentMediaType": "application/octet-stream"},
    "Pdf": {"type": "string", "contentMediaType": "application/pdf"},
    "Docx": {"type": "string", "contentMediaType": DOCX},
}


def _shapes(operations: Iterable[Operation]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    found: list[tuple[type[BaseModel], JsonSchemaMode]] = [(Error, "serialization")]
    for op in operations:
        if isinstance(op.response, type):
            found.append((op.response, "serialization"))
        if op.body is not None:
            found.append((op.body, "validation"))
    return list(dict.fromkeys(found))


def model_schemas(operations: Iterable[Operation]) -> dict[str, dict[str, Any]]:
    """The schema of every model the operations name, and of the models these nest."""
    schemas: dict[str, dict[str, Any]] = {}
    for model, mode in _shapes(operations):
        schema = model.model_json_schema(ref_template=REF_TEMPLATE, mode=mode)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return schemas


def component_schemas(operations: Iterable[Operation]) -> dict[str, dict[str, Any]]:
    """The models' schemas, and those of the answers that are no JSON object."""
    operations = list(operations)
    unknown = sorted(
        {op.response for op in operations if isinstance(op.response, str)} - set(STATIC_SCHEMAS)
    )
    if unknown:  # a misspelt name would be a $ref to nothing
        raise RuntimeError(f"API answers without a schema: {', '.join(unknown)}")
    generated = model_schemas(operations)
    clash = sorted(set(generated) & set(STATIC_SCHEMAS))
    if clash:  # two shapes under one name: a $ref would point at the wrong one
        raise RuntimeError(f"API schema names taken twice: {', '.join(clash)}")
    return {**STATIC_SCHEMAS, **generated}
