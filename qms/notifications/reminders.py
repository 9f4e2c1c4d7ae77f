"""The reminders' part of `qms tick`: today's due items become notifications and mails."""

from __future__ import annotations

from datetime import date

from flask import Flask

from qms.core.db import db
from qms.notifications.due import DueItem
from qms.notifications.mail import SmtpSettings
from qms.notifications.services import remind


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


def send_reminders(app: Flask, items: list[DueItem], today: date) -> list[str]:
    """Notify and mail the due items; the report line for `qms tick`."""
    settings = app.extensions["qms_settings"]
    result = remind(
        db.session, smtp_settings(app), items, today=today, base_url=settings.base_url.rstrip("/")
    )
    return [f"{result.created} notification(s) created, {result.mailed} mail(s) sent."]
