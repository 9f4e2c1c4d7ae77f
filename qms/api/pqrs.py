"""PQRS in the API: register, read, route, extend, answer, close, raise a nonconformity —
thin endpoints over qms.capa.pqrs (visibility, permissions, terms and trail are its own)."""

from __future__ import annotations

from qms.api.blueprint import api
from qms.api.capa import nc_model
from qms.api.dates import required_date
from qms.api.models.capa import Nonconformity
from qms.api.models.pqrs import (
    Pqrs,
    PqrsAnswer,
    PqrsClose,
    PqrsExtend,
    PqrsList,
    PqrsRegister,
    PqrsRoute,
)
from qms.api.registry import Query
from qms.capa import pqrs
from qms.capa.pqrs_models import PqrsState
from qms.core.db import db
from qms.core.permissions import Permission
from qms.users.models import User

P = Permission
_STATES = tuple(s.value for s in PqrsState)


@api.route(
    "/pqrs",
    summary="PQRS the token's owner may see (all with pqrs:read_all), newest first",
    response=PqrsList,
    permission=P.PQRS_REGISTER,
    params=[
        Query(
            "state", "string", "Only those in this state.", enum=tuple(s.value for s in PqrsState)
        )
    ],
)
def list_requests(actor: User, state: str | None) -> PqrsList:
    return PqrsList(items=[Pqrs.of(r) for r in pqrs.list_pqrs(db.session, actor, state=state)])


@api.route("/pqrs/<int:request_id>", summary="One PQRS", response=Pqrs, permission=P.PQRS_REGISTER)
def get_request(actor: User, request_id: int) -> Pqrs:
    return Pqrs.of(pqrs.get_pqrs(db.session, actor, request_id))


@api.route(
    "/pqrs",
    method="POST",
    summary="Register a PQRS; its legal term runs from the day received",
    response=Pqrs,
    permission=P.PQRS_REGISTER,
    body=PqrsRegister,
)
def register_request(actor: User, body: PqrsRegister) -> Pqrs:
    found = pqrs.register_pqrs(
        db.session,
        actor,
        kind=body.kind,
        channel=body.channel,
        customer_name=body.customer_name,
        customer_contact=body.customer_contact,
        text=body.text,
        received_on=required_date(body, "received_on"),
    )
    return Pqrs.of(found)


@api.route(
    "/pqrs/<int:request_id>/route",
    method="POST",
    summary="Classify (the kind may change, and with it the term) and route to a process",
    response=Pqrs,
    permission=P.PQRS_MANAGE,
    body=PqrsRoute,
)
def route_request(actor: User, request_id: int, body: PqrsRoute) -> Pqrs:
    found = pqrs.route_pqrs(
        db.session, actor, request_id, process_id=body.process_id, kind=body.kind
    )
    return Pqrs.of(found)


@api.route(
    "/pqrs/<int:request_id>/extend",
    method="POST",
    summary="Extend the term once, notified to the customer before it expires",
    response=Pqrs,
    permission=P.PQRS_MANAGE,
    body=PqrsExtend,
)
def extend_request(actor: User, request_id: int, body: PqrsExtend) -> Pqrs:
    found = pqrs.extend_pqrs(
        db.session,
        actor,
        request_id,
        notified_on=required_date(body, "notified_on"),
        extra_days=body.extra_days,
        reason=body.reason,
    )
    return Pqrs.of(found)


@api.route(
    "/pqrs/<int:request_id>/answer",
    method="POST",
    summary="Record the answer given (the leader of the answering process)",
    response=Pqrs,
    permission=P.PQRS_ANSWER,
    own=True,
    body=PqrsAnswer,
)
def answer_request(actor: User, request_id: int, body: PqrsAnswer) -> Pqrs:
    found = pqrs.answer_pqrs(
        db.session,
        actor,
        request_id,
        answer=body.answer,
        answered_on=required_date(body, "answered_on"),
    )
    return Pqrs.of(found)


@api.route(
    "/pqrs/<int:request_id>/close",
    method="POST",
    summary="Close an answered PQRS with the customer's satisfaction",
    response=Pqrs,
    permission=P.PQRS_MANAGE,
    body=PqrsClose,
)
def close_request(actor: User, request_id: int, body: PqrsClose) -> Pqrs:
    return Pqrs.of(pqrs.close_pqrs(db.session, actor, request_id, satisfaction=body.satisfaction))


@api.route(
    "/pqrs/<int:request_id>/nonconformity",
    method="POST",
    summary="Raise a nonconformity from a routed complaint or claim, linked both ways",
    response=Nonconformity,
    permission=P.PQRS_MANAGE,
)
def raise_nonconformity(actor: User, request_id: int) -> Nonconformity:
    return nc_model(pqrs.raise_nonconformity(db.session, actor, request_id))
