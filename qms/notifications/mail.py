"""Sending mail through the configured SMTP server (QMS_SMTP_*); no server, no mail."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
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


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: `content_type` like "text/calendar", optional MIME params."""

    filename: str
    content_type: str
    data: bytes
    params: tuple[tuple[str, str], ...] = ()


def send_mail(
    settings: SmtpSettings,
    to: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
) -> None:
    """One plain-text message (with its attachments, if any); raises smtplib/OSError errors for
    the caller to log."""
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
            params=dict(attachment.params),
        )
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        smtp.send_message(message)
