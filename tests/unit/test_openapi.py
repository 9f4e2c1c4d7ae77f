"""The OpenAPI document: built from the registry, in step with the URL map, well formed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from openapi_spec_validator import validate

from qms.api.models.users import Me
from qms.api.models.users import User as UserOut
from qms.api.openapi import build_document, openapi_path, path_parameters
from qms.api.registry import Query
from qms.api.views import api
from qms.core.errors import ValidationFailed
from qms.users.models import User, UserRole

PREFIX = "/api/v1"
HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return build_document(api, PREFIX)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_document_shape(document):
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": PREFIX}]
    scheme = document["components"]["securitySchemes"]["bearerToken"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerToken": []}]
    assert document["paths"]
    for path, item in document["paths"].items():
        assert path.startswith("/") and "<" not in path
        assert set(item) <= HTTP_METHODS
        for op in item.values():
            assert op["summary"] and op["responses"]["200"]
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path))


def test_operation_ids_are_unique(document):
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_every_reference_resolves(document):
    refs = _refs(document)
    assert refs
    for ref in refs:
        node: Any = document
        assert ref.startswith("#/")
        for part in ref[2:].split("/"):
            assert part in node, ref
            node = node[part]


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)


def test_errors_are_documented(document):
    schemas = document["components"]["schemas"]
    detail = schemas["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]
    assert schemas[detail]["required"] == ["code", "message"]
    user = document["paths"]["/users/{user_id}"]["get"]
    assert {"200", "401", "403", "404"} <= set(user["responses"])
    assert user["x-permission"] == "user:read"
    assert "WWW-Authenticate" in document["components"]["responses"]["Unauthorized"]["headers"]


def test_busy_and_lockout_answers_are_documented(document):
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert all("503" in op["responses"] for op in operations)
    assert "Retry-After" in document["components"]["responses"]["Busy"]["headers"]
    locking = {op["operationId"] for op in operations if "429" in op["responses"]}
    signing = document["paths"]["/versions/{version_id}/approve"]["post"]
    assert signing["operationId"] in locking
    assert document["paths"]["/users/{user_id}"]["get"]["operationId"] not in locking


def test_openapi_json_itself_is_public(document):
    op = document["paths"]["/openapi.json"]["get"]
    assert op["security"] == []
    assert "401" not in op["responses"]


def test_trail_parameters_carry_bounds(document):
    params = {p["name"]: p for p in document["paths"]["/trail"]["get"]["parameters"]}
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 500,
        "default": 50,
    }
    assert params["since"]["schema"]["format"] == "date-time"
    assert {"actor", "action", "object_type", "object_id", "until", "offset"} <= set(params)


def test_url_map_and_document_agree(app):
    """Every /api/v1 rule is documented, and every documented path is a rule."""
    served = {
        (openapi_path(rule.rule.removeprefix(PREFIX)), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    served_doc = app.test_client().get(f"{PREFIX}/openapi.json")
    assert served_doc.status_code == 200
    assert served_doc.headers["Cache-Control"] == "no-store"
    documented = {
        (path, method) for path, item in served_doc.json["paths"].items() for method in item
    }
    assert served == documented
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            assert hasattr(app.view_functions[rule.endpoint], "api_operation"), rule.rule


@pytest.mark.parametrize(
    ("rule", "path", "types"),
    [
        ("/users/<int:user_id>", "/users/{user_id}", ["integer"]),
        ("/files/<path:name>", "/files/{name}", ["string"]),
        ("/a/<code>/b/<int(min=1):n>", "/a/{code}/b/{n}", ["string", "integer"]),
        ("/me", "/me", []),
    ],
)
def test_rule_conversion(rule, path, types):
    assert openapi_path(rule) == path
    assert [p["schema"]["type"] for p in path_parameters(rule)] == types


def test_query_parsing():
    limit = Query("limit", "integer", minimum=1, maximum=500)
    assert limit.parse(" 20 ") == 20
    for bad in ["0", "501", "2.5", "ten", "1e3"]:
        with pytest.raises(ValidationFailed):
            limit.parse(bad)
    flag = Query("include_inactive", "boolean")
    assert flag.parse("TRUE") is True and flag.parse("0") is False
    with pytest.raises(ValidationFailed):
        flag.parse("maybe")
    since = Query("since", "date-time")
    assert since.parse("2025-03-01") == datetime(2025, 3, 1, tzinfo=UTC)
    assert since.parse("2025-03-01T10:00:00-05:00") == datetime(2025, 3, 1, 15, tzinfo=UTC)
    with pytest.raises(ValidationFailed):
        since.parse("yesterday")
    kind = Query("type", enum=("core", "support"))
    assert kind.parse("core") == "core"
    with pytest.raises(ValidationFailed):
        kind.parse("other")


def test_models_fill_exactly_their_schemas(document):
    user = User(
        id=7,
        username="ana",
        full_name="Ana",
        job_title="",
        email="",
        locale="es",
        password_hash="never-shown",
        active=True,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    user.roles = [UserRole(role="auditor")]
    schemas = document["components"]["schemas"]
    answered = UserOut.of(user).model_dump(mode="json")
    assert set(answered) == set(schemas["User"]["properties"])
    assert answered["created_at"] == "2025-01-01T00:00:00+00:00"  # as always: not `Z`
    me = Me.of(user).model_dump(mode="json")
    assert set(me) == set(schemas["Me"]["properties"])
    assert "never-shown" not in repr(me)
    assert "trail:read" in me["permissions"]
