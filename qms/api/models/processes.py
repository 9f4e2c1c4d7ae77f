"""The process map in the API."""

from __future__ import annotations

from typing import Self

from qms.api.models.common import Response, from_row, one_of
from qms.processes.models import Process as ProcessRow
from qms.processes.models import ProcessType


class Process(Response):
    id: int
    code: str
    name: str
    type: str = one_of(ProcessType)
    objective: str
    parent_id: int | None
    leader_id: int | None
    member_ids: list[int]
    active: bool

    @classmethod
    def of(cls, process: ProcessRow) -> Self:
        return from_row(cls, process, member_ids=sorted(u.id for u in process.members))


class ProcessList(Response):
    items: list[Process]
