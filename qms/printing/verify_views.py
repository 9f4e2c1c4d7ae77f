"""The page a copy's QR code opens: is this copy's version still in force? No sign-in needed.

The URL carries a signed version id, so the page cannot be walked to enumerate documents, and
it shows only what is printed on the copy itself plus its status.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from qms.core.db import db
from qms.documents.models import DocumentVersion, VersionState
from qms.documents.queries import version_in_force

bp = Blueprint("verify", __name__, url_prefix="/verify")
SALT = "qms-copy-verification"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def verification_url(version_id: int) -> str:
    """The absolute URL printed (as text and QR) on every copy of the version."""
    return url_for("verify.copy", token=_serializer().dumps(version_id), _external=True)


@bp.get("/<token>")
def copy(token: str):  # type: ignore[no-untyped-def]
    try:
        version_id = int(_serializer().loads(token))
    except (BadSignature, TypeError, ValueError):
        abort(404)
    version = db.session.get(DocumentVersion, version_id)
    if version is None:
        abort(404)
    current = version_in_force(db.session, version.document_id)
    return render_template(
        "printing/verify.html",
        version=version,
        document=version.document,
        current=current,
        is_in_force=version.state == VersionState.EFFECTIVE,
    )
