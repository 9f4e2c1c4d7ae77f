"""The page a copy's QR code opens: is this copy still good to use? No sign-in needed.

Every print carries its own signed token, so the page names the copy in hand and cannot be
walked to enumerate documents; it shows only what is printed on the copy itself plus its
status:

- ``["c", copy_id]``: controlled copy N, its holder, and whether it was recalled (its version
  no longer in force) and its return acknowledged;
- ``["p", event_id]``: an uncontrolled print, named by its `document:print` trail event (who
  printed it, when);
- a bare version id: copies printed before prints had tokens of their own; the version only.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from itsdangerous import BadSignature

from qms.core.db import db
from qms.core.trail_actions import TrailAction
from qms.documents.in_force import shown_state
from qms.documents.models import DocumentVersion, VersionState
from qms.documents.queries import version_in_force
from qms.printing.models import ControlledCopy
from qms.printing.tokens import CONTROLLED, PRINT, serializer
from qms.printing.urls import verify_bp as bp
from qms.trail.models import TrailEvent
from qms.users.models import User


def _load(token: str) -> tuple[DocumentVersion, dict[str, Any]]:
    """The version a token names and what identifies the copy; 404 for anything else."""
    try:
        payload = serializer().loads(token)
    except BadSignature:
        abort(404)
    if type(payload) is int:
        version = db.session.get(DocumentVersion, payload)
        if version is None:
            abort(404)
        return version, {}
    if not (isinstance(payload, list) and len(payload) == 2 and type(payload[1]) is int):
        abort(404)
    kind, ident = payload
    if kind == CONTROLLED:
        copy = db.session.get(ControlledCopy, ident)
        if copy is None:
            abort(404)
        return copy.version, {"controlled": copy}
    if kind == PRINT:
        event = db.session.get(TrailEvent, ident)
        if event is None or (event.action, event.object_type) != (
            TrailAction.DOCUMENT_PRINT,
            "document_version",
        ):
            abort(404)
        version = db.session.get(DocumentVersion, int(event.object_id))
        if version is None:
            abort(404)
        printer = db.session.get(User, event.actor_id) if event.actor_id else None
        name = printer.full_name if printer is not None else event.actor_name
        return version, {"printed_by": name, "printed_at": event.occurred_at}
    abort(404)


@bp.get("/<token>")
def copy(token: str) -> str:
    version, this_copy = _load(token)
    # What is in force today, not what the last tick left (derived; a public GET writes nothing).
    state = shown_state(version)
    current = version_in_force(db.session, version.document_id)
    return render_template(
        "printing/verify.html",
        version=version,
        document=version.document,
        current=current,
        is_in_force=state == VersionState.EFFECTIVE,
        is_recalled=state in (VersionState.SUPERSEDED, VersionState.OBSOLETE),
        **this_copy,
    )
