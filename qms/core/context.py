"""Who is asking, from where: read by services that record it (trail, attempts)."""

from __future__ import annotations

from flask import has_request_context, request


def current_client_address() -> str:
    if has_request_context():
        return (request.remote_addr or "")[:64]
    return "cli"


def current_user_agent() -> str:
    if has_request_context():
        return (request.user_agent.string or "")[:300]
    return ""
