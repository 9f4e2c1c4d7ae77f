"""One decorator registers an API route and records what the OpenAPI document says about it.

Because the same declaration parses the query string, checks the token and the permission,
and feeds the document, the document cannot drift from what the endpoints do.
"""

from __future__ import annotations

import functools
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, g, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel

from qms.api.bodies import parse_body
from qms.core.db import db
from qms.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from qms.core.permissions import Permission, can_own_variant, require
from qms.users.models import User
from qms.users.tokens import user_for_token

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Query:
    """A query-string parameter: its name, type and bounds, and the view argument it fills."""

    name: str
    type: str = "string"  # string | integer | boolean | date-time | date
    description: str = ""
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None
    arg: str = ""  # the view's keyword argument; the name itself when empty

    @property
    def kwarg(self) -> str:
        return self.arg or self.name

    def schema(self) -> dict[str, Any]:
        if self.type == "date-time":
            schema: dict[str, Any] = {"type": "string", "format": "date-time"}
        elif self.type == "date":
            schema = {"type": "string", "format": "date"}
        else:
            schema = {"type": self.type}
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        if self.default is not None:
            schema["default"] = self.default
        return schema

    def parse(self, raw: str) -> Any:
        """The typed value of `raw`, or ValidationFailed naming this parameter."""
        value: Any = raw.strip()
        if self.type == "integer":
            value = self._integer(value)
        elif self.type == "boolean":
            if value.lower() not in _TRUE | _FALSE:
                raise self._invalid(_l("expected true or false"))
            value = value.lower() in _TRUE
        elif self.type == "date-time":
            value = self._datetime(value)
        elif self.type == "date":
            value = self._date(value)
        if self.enum and value not in self.enum:
            raise self._invalid(_l("expected one of %(values)s", values=", ".join(self.enum)))
        return value

    def _integer(self, value: str) -> int:
        if not re.fullmatch(r"-?\d{1,12}", value):
            raise self._invalid(_l("expected a whole number"))
        number = int(value)
        if self.minimum is not None and number < self.minimum:
            raise self._invalid(_l("must be at least %(n)d", n=self.minimum))
        if self.maximum is not None and number > self.maximum:
            raise self._invalid(_l("must be at most %(n)d", n=self.maximum))
        return number

    def _datetime(self, value: str) -> datetime:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self._invalid(_l("expected an ISO 8601 date or date and time")) from None
        # Trail times are UTC; a time without an offset is read as UTC, not as server time.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def _date(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self._invalid(_l("expected a date, YYYY-MM-DD")) from None

    def _invalid(self, why: object) -> ValidationFailed:
        message = _l("Invalid query parameter %(name)s: %(why)s", name=self.name, why=why)
        return ValidationFailed(str(message), field=self.name)


# A response model, or the name of an answer that is no JSON object (a file: `Binary`, `Pdf`;
# the document itself: `OpenAPI`), whose schema is in qms.api.components.STATIC_SCHEMAS.
Shape = type[BaseModel] | str


def shape_name(shape: Shape) -> str:
    """The shape's name in the document's components."""
    return shape if isinstance(shape, str) else shape.__name__


@dataclass(frozen=True)
class Operation:
    """What the document says about one route."""

    rule: str  # as given to Flask, relative to the blueprint's prefix
    method: str
    endpoint: str
    summary: str
    description: str
    response: Shape
    permission: Permission | None
    params: tuple[Query, ...]
    public: bool
    tag: str
    body: type[BaseModel] | None = None  # the model of the JSON request body, if any
    own: bool = False  # `permission` may be held for one's own objects only (the service checks)
    media_type: str = "application/json"
    raw_body: bool = False  # the body is the request's bytes (e.g. a file), not JSON


def _parse_query(params: tuple[Query, ...]) -> dict[str, Any]:
    known = {p.name: p for p in params}
    # A misspelt filter must not silently widen the answer (e.g. every trail event).
    unknown = sorted(set(request.args) - set(known))
    if unknown:
        raise ValidationFailed(
            str(_l("Unknown query parameter: %(names)s", names=", ".join(unknown))),
            field=unknown[0],
        )
    values: dict[str, Any] = {}
    for name, param in known.items():
        raw = request.args.getlist(name)
        if len(raw) > 1:
            raise param._invalid(_l("give it once"))
        given = raw[0].strip() if raw else ""
        values[param.kwarg] = param.parse(given) if given else param.default
    return values


def checked_upload(body: bytes, filename: str | None) -> tuple[str, str]:
    """Check a raw-body upload (`?filename=` and bytes): its name and declared media type,
    header first (the stored type is still decided by the bytes)."""
    if not filename:
        raise ValidationFailed(str(_l("This field is required.")), field="filename")
    if not body:
        raise ValidationFailed(str(_l("The file is empty.")), field="body")
    return filename, request.mimetype or mimetypes.guess_type(filename)[0] or ""


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate() -> User:
    """The owner of the request's token; session cookies are deliberately not consulted."""
    token = bearer_token()
    if token is None:
        raise NotAuthenticated(str(_l("Send a personal API token: Authorization: Bearer …")))
    g.api_token_given = True
    user = user_for_token(db.session, token)
    g.api_user = user
    return user


class ApiRegistry:
    """The operations of one API blueprint, in the order they were declared."""

    def __init__(self, blueprint: Blueprint) -> None:
        self.blueprint = blueprint
        self.operations: list[Operation] = []

    def route(
        self,
        rule: str,
        *,
        summary: str,
        response: Shape,
        permission: Permission | None = None,
        params: tuple[Query, ...] | list[Query] = (),
        public: bool = False,
        method: str = "GET",
        tag: str = "",
        description: str = "",
        body: type[BaseModel] | None = None,
        own: bool = False,
        media_type: str = "application/json",
        raw_body: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register `rule` on the blueprint; the view gets the token's user first (unless
        `public`), then the path arguments, the parsed query parameters and `body` (the raw
        bytes when `raw_body`, read within the app's MAX_CONTENT_LENGTH: beyond it, 413;
        otherwise an instance of the `body` model). A view whose `response` is a model answers
        with an instance of it, serialized here; one that names a file answers a Response."""
        params = tuple(params)

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            operation = Operation(
                rule=rule,
                method=method.upper(),
                endpoint=f"{self.blueprint.name}.{fn.__name__}",
                summary=summary,
                description=description or (fn.__doc__ or "").strip(),
                response=response,
                permission=permission,
                params=params,
                public=public,
                tag=tag or rule.strip("/").split("/")[0],
                body=body,
                own=own,
                media_type=media_type,
                raw_body=raw_body,
            )

            @functools.wraps(fn)
            def view(**path_args: Any) -> Any:
                return _serialized(answer(**path_args), response)

            def answer(**path_args: Any) -> Any:
                if public:
                    return fn(**path_args, **_parse_query(params))
                # Authenticate before parsing: a caller without a token learns nothing else.
                actor = authenticate()
                if permission is not None and not own:
                    require(actor, permission)
                if own and permission is not None and not can_own_variant(actor, permission):
                    raise PermissionDenied(str(_l("You do not have permission to do this.")))
                if raw_body:
                    path_args["body"] = request.get_data(cache=False)
                elif body is not None:
                    path_args["body"] = parse_body(body)
                return fn(actor, **path_args, **_parse_query(params))

            view.api_operation = operation  # type: ignore[attr-defined]
            self.blueprint.add_url_rule(
                rule, endpoint=fn.__name__, view_func=view, methods=[operation.method]
            )
            self.operations.append(operation)
            return view

        return decorate


def _serialized(answer: Any, declared: Shape) -> Any:
    """The model's JSON values (Flask writes the dict as it always did: keys sorted)."""
    if isinstance(declared, str):
        return answer
    # The document promises `declared`: a view answering anything else is a bug, not a 200.
    if type(answer) is not declared:  # a subclass would add undeclared fields
        raise TypeError(f"answered {type(answer).__name__}, declared {declared.__name__}")
    return answer.model_dump(mode="json")
