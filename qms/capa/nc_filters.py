"""What the nonconformity register is filtered by. The list page, its CSV and XLSX exports and
the dashboard's links read the same query string the same way, so a figure, the list it links
to and the file exported from that list always hold the same rows.

Read leniently: an unknown value is no filter, never a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from qms.capa.forms import SOURCE_LABELS, STATE_LABELS
from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import CapaAction, NcState, Nonconformity
from qms.capa.origins import list_origins
from qms.documents import iso9001

OPEN = "open"  # every state before closing or discarding, as the dashboard counts them
OPEN_STATES = (
    NcState.REPORTED,
    NcState.ACCEPTED,
    NcState.CONTAINED,
    NcState.ANALYSED,
    NcState.IN_PROGRESS,
    NcState.AWAITING_CHECK,
)
# Days since detection, as the dashboard's age chart groups them: (more than, at most).
AGE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (-1, 30, "0–30"),
    (30, 60, "31–60"),
    (60, 90, "61–90"),
    (90, None, "> 90"),
)


@dataclass(frozen=True)
class NcFilter:
    state: str = ""  # one state, or OPEN
    source: str = ""  # where it was found (NcSource)
    clause: str = ""  # an ISO 9001 clause; its sub-clauses match too (8.5 finds 8.5.1)
    process: str = ""  # process id
    audit: str = ""  # audit id (the audits' hook turns it into a condition)
    age: str = ""  # index into AGE_BUCKETS
    overdue: str = ""  # "1": with an action of the current round past its due date

    def args(self) -> dict[str, str]:
        """The query string that gives this filter back (empty values left out)."""
        return {key: value for key, value in asdict(self).items() if value}


def read_filter(args: Mapping[str, str]) -> NcFilter:
    def pick(name: str, allowed: object) -> str:
        value = (args.get(name) or "").strip()
        return value if value in allowed else ""  # type: ignore[operator]

    clause = (args.get("clause") or "").strip()
    return NcFilter(
        state=pick("state", {OPEN, *STATE_LABELS}),
        source=pick("source", SOURCE_LABELS),
        clause=clause if iso9001.is_clause(clause) else "",
        process=_digits(args.get("process")),
        audit=_digits(args.get("audit")),
        age=pick("age", {str(i) for i in range(len(AGE_BUCKETS))}),
        overdue="1" if args.get("overdue") in ("1", "y") else "",  # "y": the form's checkbox
    )


def _digits(value: str | None) -> str:
    text = (value or "").strip()
    return text if text.isascii() and text.isdigit() and len(text) < 12 else ""


def age_bucket(days: int) -> int:
    for index, (_above, at_most, _label) in enumerate(AGE_BUCKETS):
        if at_most is None or days <= at_most:
            return index
    return len(AGE_BUCKETS) - 1


def conditions(f: NcFilter, today: date) -> list[sa.ColumnElement[bool]]:
    """SQL conditions on Nonconformity for every filter but the audit's (a hook's business)."""
    nc = Nonconformity
    found: list[sa.ColumnElement[bool]] = []
    if f.state == OPEN:
        found.append(nc.state.in_(OPEN_STATES))
    elif f.state:
        found.append(nc.state == f.state)
    if f.source:
        found.append(nc.source == f.source)
    if f.clause:
        found.append(sa.or_(nc.iso_clause == f.clause, nc.iso_clause.like(f"{f.clause}.%")))
    if f.process:
        found.append(nc.process_id == int(f.process))
    if f.age:
        above, at_most, _label = AGE_BUCKETS[int(f.age)]
        found.append(nc.detected_on < today - timedelta(days=above))
        if at_most is not None:
            found.append(nc.detected_on >= today - timedelta(days=at_most))
    if f.overdue:
        found.append(
            sa.exists().where(
                CapaAction.nonconformity_id == nc.id,
                CapaAction.round == nc.round,
                CapaAction.status.in_(OPEN_ACTION),
                CapaAction.due_on < today,
            )
        )
    return found


def with_origins(f: NcFilter, today: date) -> list[sa.ColumnElement[bool]]:
    """conditions(), and those of the origins' filters (the audit) told by their packages."""
    found = conditions(f, today)
    chosen = f.args()
    for origin in list_origins():
        if chosen.get(origin.name):
            found.append(origin.condition(chosen[origin.name]))
    return found
