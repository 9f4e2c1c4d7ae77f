"""The signed tokens a printed copy carries (as text and QR) to its check page.

- ``["c", copy_id]``: controlled copy N;
- ``["p", event_id]``: an uncontrolled print, named by its `document:print` trail event;
- a bare version id: copies printed before prints had tokens of their own.
"""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import URLSafeSerializer

SALT = "qms-copy-verification"
CONTROLLED, PRINT = "c", "p"


def serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def verification_url(version_id: int) -> str:
    """The version-only URL copies carried before each print had its own (still accepted)."""
    return url_for("verify.copy", token=serializer().dumps(version_id), _external=True)


def controlled_copy_url(copy_id: int) -> str:
    """The absolute URL printed (as text and QR) on every print of controlled copy N."""
    return url_for("verify.copy", token=serializer().dumps([CONTROLLED, copy_id]), _external=True)


def print_url(event_id: int) -> str:
    """The absolute URL printed on one uncontrolled print, named by its trail event."""
    return url_for("verify.copy", token=serializer().dumps([PRINT, event_id]), _external=True)
