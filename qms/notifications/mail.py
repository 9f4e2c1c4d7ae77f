"""Sending mail through the configured SMTP server (QMS_SMTP_*); no server, no mail."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    sender: str = "qms@localhost"
    starttls: bool = False
    timeout_s: float = 20.0

    @property
    def enabled(self) -> bool:
        return bool(self.host)


def send_mail(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """One plain-text message; raises smtplib/OSError errors for the caller to log."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
