"""`qms tick`: the system's due work, run by cron or by the optional in-app schedule.

Each domain's part is called by name, in an order that matters: versions take effect first and
are committed, so that the reminders that follow (CAPA, documents, audits) see today's state.
"""

from __future__ import annotations

import logging
import threading
from datetime import date

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from qms.audits.due import DEFAULT_PLAN_NOTICE_DAYS, DEFAULT_REPORT_DAYS, audit_due_items
from qms.capa.due import capa_due_items
from qms.core.db import db
from qms.documents import approval
from qms.documents.due import review_due_items, take_effect
from qms.notifications.due import DueItem
from qms.notifications.reminders import send_reminders
from qms.search import jobs as search_jobs

log = logging.getLogger(__name__)

# The first scheduled tick comes soon after start, so a restarted server catches up at once.
FIRST_TICK_S = 30.0


def due_items(
    session: Session,
    today: date,
    *,
    window: int,
    audit_plan_days: int = DEFAULT_PLAN_NOTICE_DAYS,
    audit_report_days: int = DEFAULT_REPORT_DAYS,
) -> list[DueItem]:
    """Every reminder due on `today`: `window` is QMS_REMINDER_DAYS; the audits have their own
    (QMS_AUDIT_PLAN_NOTICE_DAYS and QMS_AUDIT_REPORT_DAYS)."""
    return [
        *capa_due_items(session, today, window),
        *review_due_items(session, today, window),
        *audit_due_items(
            session, today, plan_notice_days=audit_plan_days, report_days=audit_report_days
        ),
    ]


def run_tick(app: Flask) -> list[str]:
    """Everything `qms tick` does, as report lines; each step commits its own work."""
    settings = app.extensions["qms_settings"]
    lines = take_effect(db.session)
    today = approval.today()
    items = due_items(
        db.session,
        today,
        window=settings.reminder_days,
        audit_plan_days=settings.audit_plan_notice_days,
        audit_report_days=settings.audit_report_days,
    )
    lines += send_reminders(app, items, today)
    # Last, and never failing the tick: the index catches up with everything committed above.
    try:
        lines += search_jobs.tick(app)
    except Exception:
        log.exception("search index upkeep failed")
        lines.append("Search index upkeep failed; see the log.")
    return lines


@click.command("tick")
@with_appcontext
def tick_command() -> None:
    """Apply the transitions due today, then send the reminders that are due.

    Idempotent, for cron: a second run finds nothing due, changes nothing and mails nothing.
    """
    for line in run_tick(current_app._get_current_object()):  # type: ignore[attr-defined]
        click.echo(line)


def init_app(app: Flask) -> None:
    """Tick in the app itself when QMS_TICK_MINUTES asks for it (the embedded setup)."""
    minutes = app.extensions["qms_settings"].tick_interval_minutes
    if minutes > 0:
        start_schedule(app, every_s=minutes * 60, first_s=min(FIRST_TICK_S, minutes * 60))


def start_schedule(app: Flask, *, every_s: float, first_s: float) -> threading.Event:
    """Tick on a daemon thread; set the returned event to stop it."""
    # Each worker ticks; the unique keys and the claimed mails make the overlap harmless.
    stop = threading.Event()
    app.extensions["qms_tick_stop"] = stop
    thread = threading.Thread(
        target=_every, args=(app, every_s, stop, first_s), name="qms-tick", daemon=True
    )
    thread.start()
    return stop


def _every(app: Flask, every_s: float, stop: threading.Event, first_s: float) -> None:
    wait = first_s
    while not stop.wait(wait):
        wait = every_s
        with app.app_context():
            try:
                for line in run_tick(app):
                    log.info("tick: %s", line)
            except Exception:
                log.exception("scheduled tick failed")
