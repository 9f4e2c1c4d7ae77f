"""The PQRS register as rows for the list page and its CSV and XLSX files: the legal term,
when and by whom it was answered, whether that was outside the term, and who closed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.capa import pqrs
from qms.capa.pqrs_forms import KIND_LABELS, STATE_LABELS
from qms.capa.pqrs_models import PqrsRequest
from qms.core import spreadsheets
from qms.core.localtime import local_date
from qms.core.timefmt import format_moment


@dataclass(frozen=True)
class PqrsFilter:
    state: str = ""
    year: str = ""
    term: str = ""  # pqrs.ON_TIME or pqrs.LATE

    def args(self) -> dict[str, str]:
        return {
            k: v for k, v in (("state", self.state), ("year", self.year), ("term", self.term)) if v
        }


def read_filter(args: Mapping[str, str]) -> PqrsFilter:
    """Leniently: an unknown value is no filter, never a 400."""
    state = args.get("state", "")
    year = (args.get("year") or "").strip()
    term = args.get("term", "")
    return PqrsFilter(
        state=state if state in STATE_LABELS else "",
        year=year if year.isascii() and year.isdigit() and len(year) == 4 else "",
        term=term if term in (pqrs.ON_TIME, pqrs.LATE) else "",
    )


@dataclass(frozen=True)
class PqrsRow:
    request: PqrsRequest
    late: bool  # outside the legal term (pqrs.is_late)
    closed_by: str


def rows(session: Session, actor: Any, f: PqrsFilter, today: date) -> list[PqrsRow]:
    found = pqrs.list_pqrs(
        session,
        actor,
        state=f.state or None,
        year=int(f.year) if f.year else None,
        term=f.term,
        today=today,
    )
    closed = pqrs.closers(session, [r.id for r in found if r.closed_at is not None])
    return [PqrsRow(r, pqrs.is_late(r, today), closed.get(r.id, "")) for r in found]


def columns() -> list[str]:
    return [
        _("Code"),
        _("Kind"),
        _("Customer"),
        _("Process that answers"),
        _("Received on"),
        _("Answer due"),
        _("Answered on"),
        _("Answered by"),
        _("Outside the legal term"),
        _("State"),
        _("Closed on"),
        _("Closed by"),
        _("Nonconformity"),
    ]


def cells(row: PqrsRow) -> list[Any]:
    r = row.request
    return [
        r.code,
        str(KIND_LABELS.get(r.kind, r.kind)),
        r.customer_name,
        r.process.name if r.process else "",
        r.received_on,
        r.term_due_on,
        r.answered_on,
        r.answered_by.full_name if r.answered_by else "",
        _("Yes") if row.late else _("No"),
        str(STATE_LABELS.get(r.state, r.state)),
        local_date(r.closed_at) if r.closed_at is not None else None,
        row.closed_by,
        r.nonconformity.code if r.nonconformity else "",
    ]


def csv_bytes(found: list[PqrsRow]) -> bytes:
    return spreadsheets.csv_bytes(columns(), (cells(r) for r in found))


def xlsx_bytes(found: list[PqrsRow], now: datetime) -> bytes:
    exported = format_moment(now, zone_name=True)
    return spreadsheets.xlsx_bytes(
        sheet_title=_("PQRS"),
        stamp=_("PQRS register — exported %(time)s", time=exported),
        header=columns(),
        rows=(cells(r) for r in found),
    )
