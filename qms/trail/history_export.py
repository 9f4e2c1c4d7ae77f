"""One object's history for an audit file: a PDF (the print machinery of the other reports:
print template, sandboxed WeasyPrint, safe fetcher, embedded fonts) and a CSV, both in words.

Each export is itself recorded on the object (`trail:export_history`), in the caller's
transaction, so the history shows who took a copy of it.
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.localtime import local_now
from qms.core.spreadsheets import csv_bytes
from qms.core.timefmt import format_moment, zone_label
from qms.core.trail_actions import TrailAction
from qms.printing.render import render_pdf
from qms.trail import services as trail
from qms.trail.models import TrailEvent
from qms.trail.readable import ReadableEvent, read_events
from qms.trail.timeline import Subject, all_events

# A printed history stays printable: beyond this many events the PDF says so and the CSV,
# which has no such limit, holds them all.
PDF_MAX_EVENTS = 1000
# Printed values are cut later than on the page: paper has no "show more".
PRINT_TEXT_LIMIT = 1200


def _filename(subject: Subject, extension: str) -> str:
    safe = "".join(c if c.isascii() and (c.isalnum() or c in ".-_") else "-" for c in subject.code)
    prefix = _("history")
    return f"{prefix}-{safe}-{local_now():%Y%m%d-%H%M}.{extension}"


def _record(session: Session, actor: Any, subject: Subject, file_format: str, count: int) -> None:
    trail.record(
        session,
        TrailAction.TRAIL_EXPORT_HISTORY,
        subject.object_type,
        subject.object_id,
        actor=actor,
        after={"code": subject.code, "format": file_format, "events": count},
    )


def history_pdf(session: Session, actor: Any, subject: Subject) -> tuple[bytes, str]:
    """The object's history, oldest first, as a PDF; the export is on record."""
    events: list[TrailEvent] = []
    total = 0
    for event in all_events(session, subject):
        total += 1
        if len(events) < PDF_MAX_EVENTS:
            events.append(event)
    readable = read_events(session, events, limit=PRINT_TEXT_LIMIT)
    html = render_template(
        "print/trail_history.html",
        subject=subject,
        events=readable,
        total=total,
        printed_at=format_moment(local_now(), zone_name=True),
    )
    pdf, _ms = render_pdf(html)
    _record(session, actor, subject, "PDF", total)
    return pdf, _filename(subject, "pdf")


def csv_header() -> list[str]:
    return [
        _("No."),
        _("Time (%(zone)s)", zone=zone_label()),
        _("Full name"),
        _("Username"),
        _("What was done"),
        _("Object"),
        _("Changes"),
        _("Reason"),
        _("Client address"),
        _("Action key"),
        _("Time (UTC)"),
        _("Hash"),
    ]


def changes_text(item: ReadableEvent) -> str:
    """The changed fields on one line each: "State: Draft → In review"."""
    lines = []
    for change in item.changes:
        if change.is_change:
            lines.append(f"{change.label}: {change.before} → {change.after}")
        elif change.is_removal:
            lines.append(f"{change.label}: {change.before} → —")
        else:
            lines.append(f"{change.label}: {change.after}")
    return "\n".join(lines)


def _row(item: ReadableEvent) -> list[object]:
    event = item.event
    return [
        event.seq,
        format_moment(event.occurred_at),
        item.who,
        item.username,
        item.sentence,
        item.object_name,
        changes_text(item),
        event.reason,
        event.client_address,
        event.action,
        event.occurred_at.isoformat(timespec="seconds"),
        event.hash,
    ]


def history_csv(session: Session, actor: Any, subject: Subject) -> tuple[bytes, str]:
    """The object's history, oldest first, one row per event, in words; the export is on record."""
    readable = read_events(session, list(all_events(session, subject)), limit=PRINT_TEXT_LIMIT)
    body = csv_bytes(csv_header(), (_row(item) for item in readable))
    _record(session, actor, subject, "CSV", len(readable))
    return body, _filename(subject, "csv")
