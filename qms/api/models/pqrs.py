"""PQRS (petitions, complaints, claims, suggestions) in the API: the answer and the bodies."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from qms.api.models.common import Body, Day, DayText, Response, one_of
from qms.capa.pqrs_models import Channel, PqrsRequest, PqrsState, Satisfaction
from qms.capa.terms import RequestKind


class Pqrs(Response):
    id: int
    code: str = Field(description="PQRS-YYYY-NNNN.")
    state: str = one_of(PqrsState)
    kind: str = one_of(RequestKind)
    channel: str = one_of(Channel)
    customer_name: str
    customer_contact: str
    text: str
    received_on: Day
    due_on: Day = Field(description="The legal term, in business days (Ley 1755 de 2015).")
    extended_due_on: Day | None
    term_due_on: Day = Field(description="The date the answer is due now.")
    process: str | None = Field(description="Code of the answering process.")
    answer: str
    answered_on: Day | None
    on_time: bool | None
    satisfaction: str
    nonconformity: str | None = Field(description="Code of the raised one.")

    @classmethod
    def of(cls, found: PqrsRequest) -> Self:
        answered = found.answered_on
        return cls(
            id=found.id,
            code=found.code,
            state=found.state,
            kind=found.kind,
            channel=found.channel,
            customer_name=found.customer_name,
            customer_contact=found.customer_contact,
            text=found.text,
            received_on=found.received_on,
            due_on=found.due_on,
            extended_due_on=found.extended_due_on,
            term_due_on=found.term_due_on,
            process=found.process.code if found.process else None,
            answer=found.answer,
            answered_on=answered,
            on_time=None if answered is None else answered <= found.term_due_on,
            satisfaction=found.satisfaction,
            nonconformity=found.nonconformity.code if found.nonconformity else None,
        )


class PqrsList(Response):
    items: list[Pqrs]


class PqrsRegister(Body):
    kind: str = one_of(RequestKind)
    channel: str = one_of(Channel)
    customer_name: str
    customer_contact: str = ""
    text: str
    received_on: DayText


class PqrsRoute(Body):
    process_id: int
    kind: str | None = one_of(RequestKind, default=None)


class PqrsExtend(Body):
    notified_on: DayText
    extra_days: int
    reason: str


class PqrsAnswer(Body):
    answer: str
    answered_on: DayText


class PqrsClose(Body):
    satisfaction: str = one_of(Satisfaction)
