"""A real SMTP server (aiosmtpd) on a free localhost port, wired into the app's mail settings."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any, TypeVar

from aiosmtpd.controller import Controller
from flask import Flask

H = TypeVar("H")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_inbox(app: Flask, handler: H) -> Iterator[H]:
    """For a fixture: `yield from serve_inbox(app, Inbox())`; the handler gets every message."""
    controller: Any = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = app.extensions["qms_settings"]
    settings.smtp_host, settings.smtp_port = "127.0.0.1", controller.port
    try:
        yield handler
    finally:
        controller.stop()
