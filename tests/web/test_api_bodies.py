"""Request bodies read through their models: the 400 answers keep the API's fields and words,
and nested values are validated too."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_babel import lazy_gettext as _l

from qms.api.bodies import parse_body
from qms.api.models.audit_bodies import AuditorProfileSave
from qms.api.models.common import block_schema
from qms.api.models.document_bodies import Approve, DocumentCreate, DraftUpdate
from qms.core.errors import ValidationFailed


def _refusal(app: Flask, model: type, body: Any) -> tuple[str | None, str]:
    with app.test_request_context(json=body):
        with pytest.raises(ValidationFailed) as refused:
            parse_body(model)
        return refused.value.field, str(refused.value.message)


def _read(app: Flask, model: type, body: Any) -> Any:
    with app.test_request_context(json=body):
        return parse_body(model)


def test_a_body_that_is_no_object_names_the_body(app):
    field, _ = _refusal(app, Approve, ["password"])
    assert field == "body"


@pytest.mark.parametrize(
    ("model", "body", "field", "message"),
    [
        (Approve, {"password": "x", "effective_form": "2030-01-01"}, "effective_form", "unknown"),
        (Approve, {"password": None}, "password", "required"),
        (Approve, {}, "password", "required"),
        (Approve, {"password": 5}, "password", "string"),
        (Approve, {"password": "x", "comment": None}, "comment", "string"),
        (DocumentCreate, {"title": "T", "owner_id": True}, "owner_id", "integer"),
        (DocumentCreate, {"title": "T", "owner_id": "5"}, "owner_id", "integer"),
        (DocumentCreate, {"title": "T", "parent_id": None}, "parent_id", "integer"),
        (DraftUpdate, {"content": "just text"}, "content", "array"),
        (DraftUpdate, {"content": [{"kind": "text"}, "text"]}, "content", "object"),
    ],
)
def test_refusals_name_the_top_level_field_in_the_api_words(app, model, body, field, message):
    with app.test_request_context():
        expected = {
            "unknown": str(_l("Unknown field: %(names)s", names=field)),
            "required": str(_l("This field is required.")),
        }.get(message) or str(_l("Expected %(types)s.", types=message))
    assert _refusal(app, model, body) == (field, expected)


def test_what_is_left_out_takes_its_default(app):
    read = _read(app, DocumentCreate, {"title": "Manual"})
    assert (read.retention_years, read.external_source, read.owner_id) == (5, "", None)
    assert read.model_fields_set == {"title"}


def test_null_is_sent_only_where_it_means_none(app):
    assert (
        _read(app, AuditorProfileSave, {"training": "x", "qualified_on": None}).qualified_on is None
    )


def test_the_document_publishes_what_is_refused(app):
    """Optional fields are not nullable in the schema, as the parser refuses null for them."""
    schema = DocumentCreate.model_json_schema()
    assert schema["properties"]["parent_id"] == {"title": "Parent Id", "type": "integer"}
    assert schema["required"] == ["title"]
    assert schema["additionalProperties"] is False
    nullable = AuditorProfileSave.model_json_schema()["properties"]["qualified_on"]
    assert {"type": "null"} in nullable["anyOf"]


def test_content_blocks_publish_the_block_schema():
    content = DraftUpdate.model_json_schema()["properties"]["content"]
    assert content["items"] == block_schema()
    assert "kind" in str(content["items"])
