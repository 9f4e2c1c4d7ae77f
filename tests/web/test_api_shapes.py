"""The checks the API tests apply to every body: its declared schema, and no secrets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.api.schemas import SCHEMAS
from qms.core.db import db
from qms.users.models import ApiToken, User


def assert_no_secrets(app: Flask, body: str, *plain_tokens: str) -> None:
    assert "password_hash" not in body and "token_hash" not in body
    with app.app_context():
        hashes = list(db.session.scalars(sa.select(User.password_hash)))
        hashes += list(db.session.scalars(sa.select(ApiToken.token_hash)))
    for secret in [*hashes, *plain_tokens]:
        assert secret not in body


def assert_matches(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """A small JSON Schema check: enough for the shapes this API publishes."""
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]
    types = schema.get("type")
    if types is not None:
        allowed = types if isinstance(types, list) else [types]
        assert any(_is_type(value, t) for t in allowed), f"{where}: {value!r} is not {allowed}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, dict) and "properties" in schema:
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {missing}"
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(schema["properties"])
            assert not extra, f"{where}: undeclared {extra}"
        for key, sub in schema["properties"].items():
            if key in value:
                assert_matches(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            assert_matches(item, schema["items"], f"{where}[{i}]")


_PY_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _is_type(value: Any, name: str) -> bool:
    return _PY_TYPES[name](value)


def test_schema_check_refuses_wrong_shapes():
    """The check must be able to fail, or the API tests that rely on it prove nothing."""
    good = {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert_matches(good, SCHEMAS["TrailPage"])
    for bad in [
        {**good, "total": "0"},
        {**good, "secret": 1},
        {k: v for k, v in good.items() if k != "total"},
        {**good, "items": [{"seq": 1}]},
        {**good, "limit": True},
    ]:
        with pytest.raises(AssertionError):
            assert_matches(bad, SCHEMAS["TrailPage"])
    with pytest.raises(AssertionError):
        assert_matches({"type": "other"}, SCHEMAS["Process"]["properties"]["type"])
