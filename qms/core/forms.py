"""Small helpers every package's WTForms share: choices from label maps, optional ids, ids."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def label_choices(pairs: dict[str, Any]) -> list[SelectChoice]:
    # WTForms 3.3 deprecates (value, label) tuples; warnings are errors in the tests.
    return [SelectChoice(value, label) for value, label in pairs.items()]


def optional_int(value: object) -> int | None:
    """A select's value (or a query parameter) as an id; the empty choice, or anything that is
    not a number, is none. A select that needs a value refuses None as "not a valid choice"."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def unique_ids(form: FlaskForm, suffix: str) -> FlaskForm:
    """Give a form repeated on one page (one per row) ids of its own; names stay."""
    for item in form:
        if item.name != "csrf_token":
            item.id = f"{item.id}-{suffix}"
            item.label.field_id = item.id
    return form
