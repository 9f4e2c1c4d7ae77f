"""What every API model shares: the two bases, dates as the API writes them, content blocks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic.json_schema import GetJsonSchemaHandler, JsonSchemaValue
from pydantic_core import CoreSchema

from qms.documents.block_kinds import block_json_schema


class Response(BaseModel):
    """An answer: every field always present, nothing undeclared (a test checks each body)."""

    model_config = ConfigDict(extra="forbid")


_NULL_IS_A_VALUE = "x-null-is-a-value"  # marks `nullable()` fields; never published


def nullable(**extra: Any) -> Any:
    """A body field that may be left out, or sent as null meaning "none" (e.g. no follow-up)."""
    return Field(default=None, json_schema_extra={_NULL_IS_A_VALUE: True}, **extra)


def _null_means_left_out(schema: dict[str, Any]) -> None:
    """A body field typed `X | None = None` may be left out, but null is no value to send: the
    document gives it X's schema alone, and the body parser refuses a null it does not allow,
    as the API always did."""
    for name, field in schema.get("properties", {}).items():
        if field.pop(_NULL_IS_A_VALUE, False):
            continue
        options = field.get("anyOf", [])
        if field.get("default", ...) is None and {"type": "null"} in options:
            kept = [option for option in options if option != {"type": "null"}]
            rest = {k: v for k, v in field.items() if k not in ("anyOf", "default")}
            schema["properties"][name] = (
                {**rest, **kept[0]}
                if len(kept) == 1
                else {
                    **rest,
                    "anyOf": kept,
                }
            )


class Body(BaseModel):
    """A request body. Strict, so that `"5"` is no integer and `true` no number: the same
    refusals as the hand-made checks these models replaced. Unknown fields are refused: a
    misspelt `effective_form` must not silently approve for today."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_null_means_left_out)


def _iso(value: date) -> str:
    return value.isoformat()


# `isoformat()`, not pydantic's own format: pydantic writes UTC as `Z`, the API always wrote
# `+00:00`, and clients compare these strings.
Moment = Annotated[
    datetime,
    PlainSerializer(_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = Annotated[
    date,
    PlainSerializer(_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]
# A date in a body stays text: the endpoint parses it and names the field when it is no date.
DayText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
Password = Annotated[
    str,
    Field(description="The token owner's account password: signing re-authenticates."),
    WithJsonSchema({"type": "string", "format": "password"}),
]


def block_schema() -> dict[str, Any]:
    """The JSON Schema of one content block, as the block kinds declare it."""
    return block_json_schema()


class _BlockJsonSchema:
    """Annotation that publishes `block_schema()` for a block (validated as a JSON object)."""

    def __get_pydantic_json_schema__(
        self, _core: CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return block_schema()


Block = Annotated[dict[str, Any], _BlockJsonSchema()]


def one_of(values: Any, **extra: Any) -> Any:
    """A text field whose values are listed in the document. The endpoint's service refuses
    others with its own message, so the model does not."""
    return Field(json_schema_extra={"enum": [getattr(v, "value", v) for v in values]}, **extra)


class ErrorDetail(Response):
    code: str = Field(description="Stable, machine-readable.")
    message: str = Field(description="For people; translated.")
    field: str | None = Field(default=None, description="The offending input.")


class Error(Response):
    """Every error answer."""

    error: ErrorDetail


R = TypeVar("R", bound=Response)


def from_row(model: type[R], row: Any, **computed: Any) -> R:
    """The model's fields read from the row's attributes, unless given in `computed`."""
    values = {
        name: computed[name] if name in computed else getattr(row, name)
        for name in model.model_fields
    }
    return model.model_validate(values)
