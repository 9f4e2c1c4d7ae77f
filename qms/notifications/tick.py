"""The reminders' part of `qms tick`, and the optional in-app schedule that runs the tick."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from qms.core.db import db
from qms.documents import approval
from qms.notifications.mail import SmtpSettings
from qms.notifications.services import run_tick

log = logging.getLogger(__name__)


def smtp_settings(app: Flask) -> SmtpSettings:
    settings = app.extensions["qms_settings"]
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user,
        password=settings.smtp_password,
        sender=settings.smtp_from,
        starttls=settings.smtp_starttls,
    )


def reminders_hook(app: Flask) -> list[str]:
    settings = app.extensions["qms_settings"]
    result = run_tick(
        db.session,
        smtp_settings(app),
        today=approval.today(),
        window=settings.reminder_days,
        base_url=settings.base_url.rstrip("/"),
        audit_plan_days=settings.audit_plan_notice_days,
        audit_report_days=settings.audit_report_days,
    )
    return [f"{result.created} notification(s) created, {result.mailed} mail(s) sent."]


# The first scheduled tick comes soon after start, so a restarted server catches up at once.
FIRST_TICK_S = 30.0


def _every(app: Flask, every_s: float, stop: threading.Event, first_s: float) -> None:
    from qms.documents.cli import run_tick as full_tick

    wait = first_s
    while not stop.wait(wait):
        wait = every_s
        with app.app_context():
            try:
                for line in full_tick(app):
                    log.info("tick: %s", line)
            except Exception:
                log.exception("scheduled tick failed")


def init_app(app: Flask) -> None:
    from qms.notifications import views

    views.init_app(app)
    app.extensions.setdefault("qms_tick_hooks", []).append(reminders_hook)
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
