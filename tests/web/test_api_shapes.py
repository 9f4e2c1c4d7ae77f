"""The checks the API tests apply to every body: its published schema, and no secrets."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from jsonschema import Draft202012Validator

from qms.api.openapi import build_document
from qms.api.views import api
from qms.core.db import db
from qms.users.models import ApiToken, User


def assert_no_secrets(app: Flask, body: str, *plain_tokens: str) -> None:
    assert "password_hash" not in body and "token_hash" not in body
    with app.app_context():
        hashes = list(db.session.scalars(sa.select(User.password_hash)))
        hashes += list(db.session.scalars(sa.select(ApiToken.token_hash)))
    for secret in [*hashes, *plain_tokens]:
        assert secret not in body


@functools.cache
def _components() -> dict[str, Any]:
    """The components of the document the API publishes (generated and hand-written alike)."""
    return build_document(api, "/api/v1")["components"]


def assert_matches(value: Any, name: str) -> None:
    """`value` is valid against the schema the document publishes under `name`."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": _components()}
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: e.json_path)
    assert not errors, "; ".join(f"{e.json_path}: {e.message}" for e in errors[:5])


_PROCESS = {
    "id": 1,
    "code": "AC",
    "name": "Compras",
    "type": "core",
    "objective": "",
    "parent_id": None,
    "leader_id": None,
    "member_ids": [],
    "active": True,
}


def test_schema_check_refuses_wrong_shapes():
    """The check must be able to fail, or the API tests that rely on it prove nothing."""
    good = {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert_matches(good, "TrailPage")
    for bad in [
        {**good, "total": "0"},
        {**good, "secret": 1},
        {k: v for k, v in good.items() if k != "total"},
        {**good, "items": [{"seq": 1}]},
        {**good, "limit": True},
    ]:
        with pytest.raises(AssertionError):
            assert_matches(bad, "TrailPage")
    assert_matches(_PROCESS, "Process")
    with pytest.raises(AssertionError):
        assert_matches({**_PROCESS, "type": "other"}, "Process")
