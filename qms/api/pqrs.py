"""PQRS in the API: register, read, route, extend, answer, close, raise a nonconformity —
thin endpoints over qms.capa.pqrs (visibility, permissions, terms and trail are its own)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.api import capa  # noqa: F401  (its schemas join the document first)
from qms.api.capa_schemas import nonconformity_as_dict
from qms.api.documents import parse_date
from qms.api.registry import Query
from qms.api.schemas import SCHEMAS
from qms.api.views import api
from qms.capa import pqrs
from qms.capa.pqrs_models import Channel, PqrsRequest, PqrsState, Satisfaction
from qms.capa.terms import RequestKind
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission
from qms.users.models import User

P = Permission
_STATES = tuple(s.value for s in PqrsState)
_STRING = {"type": "string"}
_DATE = {"type": "string", "format": "date"}
_NULL_DATE = {"type": ["string", "null"], "format": "date"}


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


def _object(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [name for name in properties if name not in optional],
        "properties": properties,
        "additionalProperties": False,
    }


PQRS_FIELDS: dict[str, Any] = {
    "id": {"type": "integer"},
    "code": {"type": "string", "description": "PQRS-YYYY-NNNN."},
    "state": _enum(PqrsState),
    "kind": _enum(RequestKind),
    "channel": _enum(Channel),
    "customer_name": _STRING,
    "customer_contact": _STRING,
    "text": _STRING,
    "received_on": _DATE,
    "due_on": {**_DATE, "description": "The legal term, in business days (Ley 1755 de 2015)."},
    "extended_due_on": _NULL_DATE,
    "term_due_on": {**_DATE, "description": "The date the answer is due now."},
    "process": {"type": ["string", "null"], "description": "Code of the answering process."},
    "answer": _STRING,
    "answered_on": _NULL_DATE,
    "on_time": {"type": ["boolean", "null"]},
    "satisfaction": _STRING,
    "nonconformity": {"type": ["string", "null"], "description": "Code of the raised one."},
}
PQRS_SCHEMAS: dict[str, Any] = {
    "Pqrs": _object(PQRS_FIELDS),
    "PqrsList": _object(
        {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Pqrs"}}}
    ),
    "PqrsRegister": _object(
        {
            "kind": _enum(RequestKind),
            "channel": _enum(Channel),
            "customer_name": _STRING,
            "customer_contact": _STRING,
            "text": _STRING,
            "received_on": _DATE,
        },
        optional=("customer_contact",),
    ),
    "PqrsRoute": _object(
        {"process_id": {"type": "integer"}, "kind": _enum(RequestKind)}, optional=("kind",)
    ),
    "PqrsExtend": _object(
        {"notified_on": _DATE, "extra_days": {"type": "integer"}, "reason": _STRING}
    ),
    "PqrsAnswer": _object({"answer": _STRING, "answered_on": _DATE}),
    "PqrsClose": _object({"satisfaction": _enum(Satisfaction)}),
}
SCHEMAS.update(PQRS_SCHEMAS)


def pqrs_as_dict(found: PqrsRequest) -> dict[str, Any]:
    def iso(day: date | None) -> str | None:
        return day.isoformat() if day is not None else None

    return {
        "id": found.id,
        "code": found.code,
        "state": found.state,
        "kind": found.kind,
        "channel": found.channel,
        "customer_name": found.customer_name,
        "customer_contact": found.customer_contact,
        "text": found.text,
        "received_on": iso(found.received_on),
        "due_on": iso(found.due_on),
        "extended_due_on": iso(found.extended_due_on),
        "term_due_on": iso(found.term_due_on),
        "process": found.process.code if found.process else None,
        "answer": found.answer,
        "answered_on": iso(found.answered_on),
        "on_time": None if found.answered_on is None else found.answered_on <= found.term_due_on,
        "satisfaction": found.satisfaction,
        "nonconformity": found.nonconformity.code if found.nonconformity else None,
    }


def _date(body: dict[str, Any], field: str) -> date:
    found = parse_date(body, field)
    if found is None:
        raise ValidationFailed(str(_l("This field is required.")), field=field)
    return found


@api.route(
    "/pqrs",
    summary="PQRS the token's owner may see (all with pqrs:read_all), newest first",
    response="PqrsList",
    permission=P.PQRS_REGISTER,
    params=[
        Query(
            "state", "string", "Only those in this state.", enum=tuple(s.value for s in PqrsState)
        )
    ],
)
def list_requests(actor: User, state: str | None) -> dict[str, Any]:
    return {"items": [pqrs_as_dict(r) for r in pqrs.list_pqrs(db.session, actor, state=state)]}


@api.route(
    "/pqrs/<int:request_id>", summary="One PQRS", response="Pqrs", permission=P.PQRS_REGISTER
)
def get_request(actor: User, request_id: int) -> dict[str, Any]:
    return pqrs_as_dict(pqrs.get_pqrs(db.session, actor, request_id))


@api.route(
    "/pqrs",
    method="POST",
    summary="Register a PQRS; its legal term runs from the day received",
    response="Pqrs",
    permission=P.PQRS_REGISTER,
    body="PqrsRegister",
)
def register_request(actor: User, body: dict[str, Any]) -> dict[str, Any]:
    found = pqrs.register_pqrs(
        db.session,
        actor,
        kind=body["kind"],
        channel=body["channel"],
        customer_name=body["customer_name"],
        customer_contact=body.get("customer_contact", ""),
        text=body["text"],
        received_on=_date(body, "received_on"),
    )
    return pqrs_as_dict(found)


@api.route(
    "/pqrs/<int:request_id>/route",
    method="POST",
    summary="Classify (the kind may change, and with it the term) and route to a process",
    response="Pqrs",
    permission=P.PQRS_MANAGE,
    body="PqrsRoute",
)
def route_request(actor: User, request_id: int, body: dict[str, Any]) -> dict[str, Any]:
    found = pqrs.route_pqrs(
        db.session, actor, request_id, process_id=body["process_id"], kind=body.get("kind")
    )
    return pqrs_as_dict(found)


@api.route(
    "/pqrs/<int:request_id>/extend",
    method="POST",
    summary="Extend the term once, notified to the customer before it expires",
    response="Pqrs",
    permission=P.PQRS_MANAGE,
    body="PqrsExtend",
)
def extend_request(actor: User, request_id: int, body: dict[str, Any]) -> dict[str, Any]:
    found = pqrs.extend_pqrs(
        db.session,
        actor,
        request_id,
        notified_on=_date(body, "notified_on"),
        extra_days=body["extra_days"],
        reason=body["reason"],
    )
    return pqrs_as_dict(found)


@api.route(
    "/pqrs/<int:request_id>/answer",
    method="POST",
    summary="Record the answer given (the leader of the answering process)",
    response="Pqrs",
    permission=P.PQRS_ANSWER,
    own=True,
    body="PqrsAnswer",
)
def answer_request(actor: User, request_id: int, body: dict[str, Any]) -> dict[str, Any]:
    found = pqrs.answer_pqrs(
        db.session, actor, request_id, answer=body["answer"], answered_on=_date(body, "answered_on")
    )
    return pqrs_as_dict(found)


@api.route(
    "/pqrs/<int:request_id>/close",
    method="POST",
    summary="Close an answered PQRS with the customer's satisfaction",
    response="Pqrs",
    permission=P.PQRS_MANAGE,
    body="PqrsClose",
)
def close_request(actor: User, request_id: int, body: dict[str, Any]) -> dict[str, Any]:
    return pqrs_as_dict(
        pqrs.close_pqrs(db.session, actor, request_id, satisfaction=body["satisfaction"])
    )


@api.route(
    "/pqrs/<int:request_id>/nonconformity",
    method="POST",
    summary="Raise a nonconformity from a routed complaint or claim, linked both ways",
    response="Nonconformity",
    permission=P.PQRS_MANAGE,
)
def raise_nonconformity(actor: User, request_id: int) -> dict[str, Any]:
    nc = pqrs.raise_nonconformity(db.session, actor, request_id)
    return nonconformity_as_dict(nc)
