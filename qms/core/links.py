"""Links to pages by endpoint, for services and views alike (no view module imports another's
views to build a URL)."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from werkzeug.routing import BuildError


def has_endpoint(endpoint: str) -> bool:
    """True when a registered blueprint serves `endpoint`."""
    return endpoint in current_app.view_functions


def optional_url(endpoint: str, **values: Any) -> str | None:
    """The URL of `endpoint`, or None when it is not registered or the values do not fit it."""
    if not has_endpoint(endpoint):
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None
