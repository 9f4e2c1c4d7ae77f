"""The JSON API, version 1: thin endpoints over the same services and queries as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, g, request

from qms.api.openapi import build_document
from qms.api.registry import ApiRegistry, Query
from qms.api.schemas import me_as_dict, user_as_dict
from qms.blueprints import csrf
from qms.core.db import db
from qms.core.permissions import Permission
from qms.processes.models import ProcessType
from qms.processes.queries import get_process, list_processes, process_as_dict
from qms.trail.queries import TrailFilter, event_as_dict, search_events
from qms.users.models import User
from qms.users.services import get_user, list_users

PREFIX = "/api/v1"
PROCESS_TYPES = tuple(t.value for t in ProcessType)
bp = Blueprint("api", __name__, url_prefix=PREFIX)
api = ApiRegistry(bp)
# CSRF rides on the browser sending cookies by itself. The API ignores cookies and accepts only
# a bearer token, which a browser never attaches on its own, so a forged cross-site request
# carries no credentials and there is nothing for a CSRF token to protect — this holds for the
# POST and PATCH endpoints that change documents and sign versions just as for reads.
csrf.exempt(bp)


@bp.after_request
def _challenge(response: Response) -> Response:
    """Tell a refused client how to authenticate (RFC 6750)."""
    if response.status_code == 401:
        challenge = 'Bearer realm="qms"'
        if g.get("api_token_given"):
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    return response


@api.route(
    "/openapi.json",
    summary="This OpenAPI document",
    response="OpenAPI",
    public=True,
    tag="meta",
)
def openapi() -> dict[str, Any]:
    """Public, so that clients can be generated before anyone holds a token."""
    return build_document(api, request.script_root + PREFIX)


@api.route("/me", summary="The token's owner, roles and permissions", response="Me")
def me(actor: User) -> dict[str, Any]:
    return me_as_dict(actor)


@api.route(
    "/users",
    summary="List accounts",
    response="UserList",
    permission=Permission.USER_READ,
    params=[
        Query("include_inactive", "boolean", "Include deactivated accounts.", default=True),
    ],
)
def users(actor: User, include_inactive: bool) -> dict[str, Any]:
    found = list_users(db.session, actor, include_inactive=include_inactive)
    return {"items": [user_as_dict(u) for u in found]}


@api.route(
    "/users/<int:user_id>",
    summary="One account",
    response="User",
    permission=Permission.USER_READ,
)
def user(actor: User, user_id: int) -> dict[str, Any]:
    return user_as_dict(get_user(db.session, user_id))


@api.route(
    "/processes",
    summary="The process map",
    response="ProcessList",
    permission=Permission.PROCESS_READ,
    params=[
        Query("type", "string", "Only processes of this type.", enum=PROCESS_TYPES),
        Query("include_inactive", "boolean", "Include retired processes.", default=False),
    ],
)
def processes(actor: User, type: str | None, include_inactive: bool) -> dict[str, Any]:
    found = list_processes(db.session, actor, include_inactive=include_inactive, type=type)
    return {"items": [process_as_dict(p) for p in found]}


@api.route(
    "/processes/<int:process_id>",
    summary="One process",
    response="Process",
    permission=Permission.PROCESS_READ,
)
def process(actor: User, process_id: int) -> dict[str, Any]:
    return process_as_dict(get_process(db.session, actor, process_id))


@api.route(
    "/trail",
    summary="Search the trail, newest first",
    response="TrailPage",
    permission=Permission.TRAIL_READ,
    params=[
        Query("actor", "string", "Username of whoever acted.", arg="actor_name"),
        Query("action", "string", "A `resource:verb` action, e.g. `user:create`."),
        Query("object_type", "string", "e.g. `user`, `process`, `api_token`."),
        Query("object_id", "string", "The object's id (with object_type)."),
        Query("since", "date-time", "From this instant (inclusive); UTC unless offset."),
        Query("until", "date-time", "Before this instant (exclusive); UTC unless offset."),
        Query("limit", "integer", "Page size.", minimum=1, maximum=500, default=50),
        Query("offset", "integer", "Events to skip.", minimum=0, default=0),
    ],
)
def trail(
    actor: User,
    actor_name: str | None,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    filters = TrailFilter(
        actor_name=actor_name or "",
        action=action or "",
        object_type=object_type or "",
        object_id=object_id or "",
        since=since,
        until=until,
    )
    events, total = search_events(db.session, actor, filters, limit=limit, offset=offset)
    return {
        "items": [event_as_dict(e) for e in events],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


# Modules that add endpoints to `api`; imported last because they import `api` from here.
from qms.api import (  # noqa: E402, F401
    audit_agenda,
    audits,
    capa,
    document_extras,
    document_signing,
    documents,
    pqrs,
)
