"""Dates in request bodies: sent as text, read here so that a bad one names its field."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from qms.core.errors import ValidationFailed


def parse_date(body: BaseModel, field: str) -> date | None:
    """The date in `field` (YYYY-MM-DD), or None when it was left out or empty."""
    raw = getattr(body, field)
    if raw in (None, ""):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(str(_l("Expected a date (YYYY-MM-DD).")), field=field) from None


def required_date(body: BaseModel, field: str) -> date:
    found = parse_date(body, field)
    if found is None:
        raise ValidationFailed(str(_l("This field is required.")), field=field)
    return found
