"""The API's own document, the token's owner, accounts, the process map and the trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request

from qms.api.blueprint import PREFIX, api
from qms.api.models.processes import Process, ProcessList
from qms.api.models.trail import TrailEvent, TrailPage
from qms.api.models.users import Me, User, UserList
from qms.api.openapi import build_document
from qms.api.registry import Query
from qms.core.db import db
from qms.core.permissions import Permission
from qms.processes.models import ProcessType
from qms.processes.queries import get_process, list_processes
from qms.trail.queries import TrailFilter, search_events
from qms.users.models import User as UserRow
from qms.users.services import get_user, list_users

PROCESS_TYPES = tuple(t.value for t in ProcessType)


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


@api.route("/me", summary="The token's owner, roles and permissions", response=Me)
def me(actor: UserRow) -> Me:
    return Me.of(actor)


@api.route(
    "/users",
    summary="List accounts",
    response=UserList,
    permission=Permission.USER_READ,
    params=[
        Query("include_inactive", "boolean", "Include deactivated accounts.", default=True),
    ],
)
def users(actor: UserRow, include_inactive: bool) -> UserList:
    found = list_users(db.session, actor, include_inactive=include_inactive)
    return UserList(items=[User.of(u) for u in found])


@api.route(
    "/users/<int:user_id>",
    summary="One account",
    response=User,
    permission=Permission.USER_READ,
)
def user(actor: UserRow, user_id: int) -> User:
    return User.of(get_user(db.session, user_id))


@api.route(
    "/processes",
    summary="The process map",
    response=ProcessList,
    permission=Permission.PROCESS_READ,
    params=[
        Query("type", "string", "Only processes of this type.", enum=PROCESS_TYPES),
        Query("include_inactive", "boolean", "Include retired processes.", default=False),
    ],
)
def processes(actor: UserRow, type: str | None, include_inactive: bool) -> ProcessList:
    found = list_processes(db.session, actor, include_inactive=include_inactive, type=type)
    return ProcessList(items=[Process.of(p) for p in found])


@api.route(
    "/processes/<int:process_id>",
    summary="One process",
    response=Process,
    permission=Permission.PROCESS_READ,
)
def process(actor: UserRow, process_id: int) -> Process:
    return Process.of(get_process(db.session, actor, process_id))


@api.route(
    "/trail",
    summary="Search the trail, newest first",
    response=TrailPage,
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
    actor: UserRow,
    actor_name: str | None,
    action: str | None,
    object_type: str | None,
    object_id: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> TrailPage:
    filters = TrailFilter(
        actor_name=actor_name or "",
        action=action or "",
        object_type=object_type or "",
        object_id=object_id or "",
        since=since,
        until=until,
    )
    events, total = search_events(db.session, actor, filters, limit=limit, offset=offset)
    items = [TrailEvent.of(e) for e in events]
    return TrailPage(items=items, total=total, limit=limit, offset=offset)
