"""The trail viewer, each object's timeline, and their exports. Read-only: no route edits or
removes events (an export only adds the event that records it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from qms.core.db import db, utcnow
from qms.core.errors import ValidationFailed
from qms.core.localtime import local_zone
from qms.core.permissions import Permission, permission_required
from qms.core.spreadsheets import csv_lines
from qms.core.trail_actions import TrailAction
from qms.trail import history_export, queries, timeline
from qms.trail import services as trail
from qms.trail.forms import FILTER_FIELDS, TrailFilterForm
from qms.trail.models import TrailEvent
from qms.trail.paging import PER_PAGE_CHOICES, Pager
from qms.trail.readable import read_events
from qms.trail.urls import trail_bp as bp

# The page of each object that has a timeline, to go back to it.
OBJECT_PAGES = {
    "document": ("documents.show", "document_id"),
    "version": ("documents.version", "version_id"),
    "nonconformity": ("capa.show", "nc_id"),
    "audit": ("audit_work.show", "audit_id"),
}
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
    return local_zone().key


@bp.app_context_processor
def _history_links() -> dict[str, Any]:
    return {"history_url": history_url}


def history_url(kind: str, obj: Any) -> str | None:
    """The link to an object's history, for its page; None when the reader may not see it."""
    if not current_user.is_authenticated or not timeline.may_see_history(current_user, kind, obj):
        return None
    return url_for("trail.history", kind=kind, object_id=obj.id)


@bp.get("/")
@permission_required(Permission.TRAIL_READ)
def index() -> ResponseReturnValue:
    form = _form()
    pager = Pager.from_request(request)
    events: list[TrailEvent] = []
    valid = form.validate()
    if valid:
        f = form.to_filter(_timezone())
        events, total = queries.search_events(
            db.session, current_user, f, limit=pager.per_page, offset=pager.offset
        )
        pager = pager.counted(total)
    return render_template(
        "trail/index.html",
        form=form,
        events=read_events(db.session, events),
        pager=pager,
        per_page_choices=PER_PAGE_CHOICES,
        filter_args=_filter_args(),
        timezone=_timezone(),
    ), (200 if valid else 400)


@login_required
def history(kind: str, object_id: int) -> ResponseReturnValue:
    """One object's timeline, newest first, a page at a time."""
    subject = timeline.subject(db.session, current_user, kind, object_id)
    pager = Pager.from_request(request)
    events, total = timeline.page_of_events(
        db.session, subject, limit=pager.per_page, offset=pager.offset
    )
    endpoint, arg = OBJECT_PAGES[kind]
    page_args: dict[str, Any] = {arg: subject.object_id}
    return render_template(
        "trail/history.html",
        subject=subject,
        object_url=url_for(endpoint, **page_args),
        events=read_events(db.session, events),
        pager=pager.counted(total),
        per_page_choices=PER_PAGE_CHOICES,
        timezone=_timezone(),
    )


@login_required
def history_pdf(kind: str, object_id: int) -> ResponseReturnValue:
    subject = timeline.subject(db.session, current_user, kind, object_id)
    pdf, filename = history_export.history_pdf(db.session, current_user, subject)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@login_required
def history_csv(kind: str, object_id: int) -> ResponseReturnValue:
    subject = timeline.subject(db.session, current_user, kind, object_id)
    body, filename = history_export.history_csv(db.session, current_user, subject)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


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


# One rule per kind, its kind a default: /trail/document/7, /trail/version/9, ... (one view each).
for _kind in timeline.KINDS:
    for _suffix, _view in (
        ("", history),
        ("/history.pdf", history_pdf),
        ("/history.csv", history_csv),
    ):
        bp.add_url_rule(
            f"/{_kind}/<int:object_id>{_suffix}", view_func=_view, defaults={"kind": _kind}
        )
