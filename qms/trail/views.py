"""The trail viewer and its CSV export. Read-only: no route edits or removes events."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy.orm import Session

from qms.core.db import db, utcnow
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.core.spreadsheets import csv_lines
from qms.core.trail_actions import TrailAction
from qms.trail import queries
from qms.trail import services as trail
from qms.trail.forms import FILTER_FIELDS, TrailFilterForm
from qms.trail.models import TrailEvent
from qms.trail.urls import trail_bp as bp

PER_PAGE = 50
CSV_HEADER = (
    "seq",
    "occurred_at_utc",
    "actor",
    "actor_full_name",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "reason",
    "client_address",
    "prev_hash",
    "hash",
)


def _form() -> TrailFilterForm:
    return TrailFilterForm(request.args, queries.distinct_actions(db.session))


def _filter_args() -> dict[str, str]:
    """The active filters, to carry into pager and export links."""
    return {k: v for k in FILTER_FIELDS if (v := request.args.get(k, "").strip())}


def _timezone() -> str:
    return current_app.extensions["qms_settings"].timezone


def _pretty(values: str) -> str:
    """A before/after value, one key per line, for reading."""
    if not values:
        return ""
    try:
        parsed = json.loads(values)
    except ValueError:
        return values
    return json.dumps(parsed, indent=1, ensure_ascii=False, sort_keys=True)


@bp.get("/")
@permission_required(Permission.TRAIL_READ)
def index() -> ResponseReturnValue:
    form = _form()
    page = max(1, request.args.get("page", 1, type=int))
    events: list[TrailEvent] = []
    total = 0
    valid = form.validate()
    if valid:
        f = form.to_filter(_timezone())
        events, total = queries.search_events(
            db.session, current_user, f, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    pages = max(1, math.ceil(total / PER_PAGE))
    return render_template(
        "trail/index.html",
        form=form,
        events=events,
        total=total,
        page=page,
        pages=pages,
        filter_args=_filter_args(),
        timezone=_timezone(),
        full_names=queries.actor_full_names(db.session, events),
        pretty=_pretty,
    ), (200 if valid else 400)


@bp.get("/export.csv")
@permission_required(Permission.TRAIL_EXPORT)
def export_csv() -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        raise ValidationFailed(" ".join(str(e) for e in errors))
    f = form.to_filter(_timezone())
    # The body is sent after this request's session is committed and closed, so it reads
    # through a session of its own, which it closes however the download ends.
    session = current_app.extensions["qms_db"].session_factory()
    rows = queries.iter_export_rows(session, current_user, f)  # the permission is checked here
    # Who took a copy of the trail, and of what, is itself worth keeping.
    trail.record(
        db.session, TrailAction.TRAIL_EXPORT, "trail", "", actor=current_user, after=_filter_args()
    )
    filename = f"trail-{utcnow():%Y%m%d-%H%M%S}Z.csv"
    return Response(
        _body(session, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _body(session: Session, rows: Iterator[tuple[TrailEvent, str | None]]) -> Iterator[bytes]:
    try:
        for line in csv_lines(CSV_HEADER, _cells(rows)):
            yield line.encode("utf-8")
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()  # ends the cursor first when the client stopped reading
        session.close()


def _cells(rows: Iterator[tuple[TrailEvent, str | None]]) -> Iterator[tuple[object, ...]]:
    for e, full_name in rows:
        yield (
            e.seq,
            e.occurred_at.isoformat(timespec="microseconds"),
            e.actor_name,
            full_name or "",
            e.action,
            e.object_type,
            e.object_id,
            e.before,
            e.after,
            e.reason,
            e.client_address,
            e.prev_hash,
            e.hash,
        )
