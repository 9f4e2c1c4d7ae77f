"""The role × route matrix, built from `app.url_map`, so that every new route is covered.

For every page route (not /api/, not /static/):
- a mutating request (POST/PUT/PATCH/DELETE) without a CSRF token is refused with 400, and the
  view never runs;
- a mutating route's view declares its permission (`permission_required`) unless it is public;
- each role lacking a route's permission gets 403 and writes no trail event, with a valid token;
- a role holding it gets past the edge (no 403) on GET routes;
- an anonymous request is sent to the login page.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import FloatConverter, IntegerConverter, UUIDConverter

from qms.core.permissions import OWN_VARIANTS, ROLE_PERMISSIONS, Permission, Role
from tests.helpers import csrf_token, trail_events

MUTATING = ("POST", "PUT", "PATCH", "DELETE")
# Routes anyone may call without signing in. Keep this list short and explicit.
PUBLIC = {"auth.login", "auth.logout"}
# Public pages an anonymous visitor may see (GET) without being sent to /login.
PUBLIC_GET = PUBLIC | {
    "static",
    "verify.copy",  # the QR page of printed copies
    "calendar_feeds.feed",  # a private calendar feed: calendar apps send no session, the token
}
NO_ROLE = "(no role)"


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str
    permission: Permission | None
    own: bool  # the route admits the own-objects variant of its permission

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.endpoint})"


def _dummy(converter: Any) -> object:
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, FloatConverter):
        return 1.0
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    items = getattr(converter, "items", None)  # AnyConverter
    if items:
        return sorted(items)[0]
    return "x"


def _url(rule: Rule) -> str:
    values = {name: _dummy(conv) for name, conv in rule._converters.items()}
    values.update(rule.defaults or {})
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build {rule.rule}"
    return built[1]


def _own(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, "required_own", False))


def page_routes(app: Flask) -> Iterator[Route]:
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.rule.startswith(("/api/", "/static/")):
            continue
        if rule.endpoint.startswith("test_"):  # routes a test registered on its own app
            continue
        view = app.view_functions[rule.endpoint]
        permission = getattr(view, "required_permission", None)
        for method in sorted(rule.methods or ()):
            if method in ("HEAD", "OPTIONS"):
                continue
            yield Route(rule.endpoint, method, _url(rule), permission, _own(view))


def roles_lacking(route: Route) -> list[str]:
    """Roles (and a user with none) that must be refused at the edge of `route`."""
    assert route.permission is not None
    lacking = [NO_ROLE]
    own_variant = OWN_VARIANTS.get(route.permission)
    for role in Role:
        held = ROLE_PERMISSIONS[role]
        if route.permission in held:
            continue
        # A route that admits the own-objects variant lets its holders past the edge (the
        # service then checks the object).
        if own_variant in held and route.own:
            continue
        lacking.append(role.value)
    return lacking


def roles_holding(route: Route) -> list[str]:
    assert route.permission is not None
    return [role.value for role in Role if route.permission in ROLE_PERMISSIONS[role]]


@pytest.fixture
def clients(client_as: Callable[..., FlaskClient]) -> Callable[[str], FlaskClient]:
    """One signed-in client per role, made on first use."""
    made: dict[str, FlaskClient] = {}

    def get(role: str) -> FlaskClient:
        if role not in made:
            made[role] = client_as([] if role == NO_ROLE else [role])
        return made[role]

    return get


def _send(client: FlaskClient, route: Route, token: str | None = None):  # type: ignore[no-untyped-def]
    data = {"csrf_token": token} if token else {}
    headers = {"X-CSRFToken": token} if token else {}
    return client.open(route.url, method=route.method, data=data, headers=headers)


def _goes_to_login(response) -> bool:  # type: ignore[no-untyped-def]
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and location.split("?")[0].endswith("/login")


def test_the_matrix_sees_the_routes(app: Flask) -> None:
    routes = list(page_routes(app))
    endpoints = {r.endpoint for r in routes}
    assert {"auth.login", "auth.logout", "home.dashboard"} <= endpoints
    assert any(r.method in MUTATING and r.permission for r in routes), "no guarded POST route"


def test_every_mutating_route_declares_its_permission(app: Flask) -> None:
    unguarded = [
        str(r)
        for r in page_routes(app)
        if r.method in MUTATING and r.permission is None and r.endpoint not in PUBLIC
    ]
    assert not unguarded, (
        "mutating routes without @permission_required (or add them to PUBLIC):\n  "
        + "\n  ".join(unguarded)
    )


def test_declared_permissions_are_known(app: Flask) -> None:
    for route in page_routes(app):
        if route.permission is not None:
            assert Permission(route.permission) in ROLE_PERMISSIONS[Role.ADMIN] | set(Permission), (
                route
            )


def test_mutating_routes_refuse_requests_without_csrf_token(
    app: Flask, clients: Callable[[str], FlaskClient]
) -> None:
    admin = clients(Role.ADMIN.value)
    called: list[str] = []
    for endpoint, view in list(app.view_functions.items()):

        @functools.wraps(view)
        def spy(*args: Any, _endpoint: str = endpoint, _view: Any = view, **kwargs: Any) -> Any:
            called.append(_endpoint)
            return _view(*args, **kwargs)

        app.view_functions[endpoint] = spy
    failures = []
    for route in page_routes(app):
        if route.method not in MUTATING:
            continue
        called.clear()
        events = len(trail_events(app))
        response = _send(admin, route)
        if response.status_code != 400 or called or len(trail_events(app)) != events:
            failures.append(f"{route}: {response.status_code}, view ran: {bool(called)}")
    assert not failures, "accepted without a CSRF token:\n  " + "\n  ".join(failures)


def test_mutating_routes_refuse_roles_without_permission(
    app: Flask, clients: Callable[[str], FlaskClient]
) -> None:
    failures = []
    checked = 0
    for route in page_routes(app):
        if route.method not in MUTATING or route.permission is None:
            continue
        for role in roles_lacking(route):
            client = clients(role)
            token = csrf_token(client, "/dashboard")
            events = len(trail_events(app))
            response = _send(client, route, token)
            written = len(trail_events(app)) - events
            checked += 1
            if response.status_code != 403 or written:
                failures.append(f"{route} as {role}: {response.status_code}, {written} event(s)")
    assert checked, "no mutating route with a permission was checked"
    assert not failures, "not refused with 403:\n  " + "\n  ".join(failures)


def test_guarded_pages_refuse_roles_without_permission(
    app: Flask, clients: Callable[[str], FlaskClient]
) -> None:
    failures = []
    for route in page_routes(app):
        if route.method != "GET" or route.permission is None:
            continue
        for role in roles_lacking(route):
            response = clients(role).get(route.url)
            if response.status_code != 403:
                failures.append(f"{route} as {role}: {response.status_code}")
    assert not failures, "not refused with 403:\n  " + "\n  ".join(failures)


def test_guarded_pages_let_holders_past_the_edge(
    app: Flask, clients: Callable[[str], FlaskClient]
) -> None:
    failures = []
    for route in page_routes(app):
        if route.method != "GET" or route.permission is None:
            continue
        for role in roles_holding(route):
            response = clients(role).get(route.url)
            if response.status_code in (403, 500):
                failures.append(f"{route} as {role}: {response.status_code}")
    assert not failures, "refused or broken for a role that holds the permission:\n  " + (
        "\n  ".join(failures)
    )


def test_anonymous_requests_go_to_login(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    failures = []
    for route in page_routes(app):
        if route.endpoint in PUBLIC_GET:
            continue
        response = _send(client, route, token if route.method in MUTATING else None)
        if not _goes_to_login(response):
            failures.append(f"{route}: {response.status_code} {response.headers.get('Location')}")
    assert not failures, "anonymous request not sent to /login:\n  " + "\n  ".join(failures)
