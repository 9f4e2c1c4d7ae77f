"""The audit plan's agenda: opening meeting, interviews by process, closing meeting.

Agenda items are lines of the plan: they are added and removed (deleted) while the plan may
still change (planned, plan notified), by a quality lead or the audit's lead auditor. Every
change is in the trail, in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.lifecycle import PLANNING_STATES, is_lead_auditor
from qms.audits.models import AgendaItem, AgendaKind, Audit
from qms.audits.services import get_audit, text
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, can, require
from qms.core.timefmt import format_day
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail

P = Permission
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# Interview slots of a working day, before and after lunch (local time of the audit).
_SLOTS = (
    ("08:30", "09:30"),
    ("09:30", "10:30"),
    ("10:30", "11:30"),
    ("11:30", "12:30"),
    ("14:00", "15:00"),
    ("15:00", "16:00"),
    ("16:00", "17:00"),
)


def may_edit_agenda(actor: Any, audit: Audit) -> None:
    """A quality lead, or the audit's lead auditor, while the plan may still change."""
    require(actor, P.AUDIT_CONDUCT)
    if not can(actor, P.AUDIT_PROGRAMME_MANAGE):
        is_lead_auditor(audit, actor)
    if audit.state not in PLANNING_STATES:
        raise Conflict(str(_l("The agenda is fixed once the audit has started.")))


def clean_time(value: str | None, field: str) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) == 4 and cleaned[1] == ":":
        cleaned = "0" + cleaned  # 8:30 → 08:30
    if not _TIME.match(cleaned):
        raise ValidationFailed(str(_l("Write the time as HH:MM, e.g. 08:30.")), field=field)
    return cleaned


def _describe(item: AgendaItem) -> dict[str, Any]:
    return {
        "item": item.id,
        "kind": item.kind,
        "day": item.day.isoformat(),
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "process": item.process.code if item.process else None,
        "topic": item.topic,
    }


def add_agenda_item(
    session: Session,
    actor: Any,
    audit_id: int,
    *,
    kind: str,
    day: date | None,
    starts_at: str,
    ends_at: str,
    process_id: int | None = None,
    topic: str = "",
    participants: str = "",
) -> AgendaItem:
    """One line of the agenda: on a day of the audit, for one of the audited processes."""
    audit = get_audit(session, actor, audit_id)
    may_edit_agenda(actor, audit)
    if kind not in set(AgendaKind):
        raise ValidationFailed(str(_l("Choose what the agenda item is.")), field="kind")
    if day is None or not audit.start_on <= day <= audit.end_on:
        raise ValidationFailed(
            str(
                _l(
                    "Choose a day of the audit, from %(start)s to %(end)s.",
                    start=format_day(audit.start_on),
                    end=format_day(audit.end_on),
                )
            ),
            field="day",
        )
    start = clean_time(starts_at, "starts_at")
    end = clean_time(ends_at, "ends_at")
    if end <= start:
        raise ValidationFailed(str(_l("The item must end after it starts.")), field="ends_at")
    if process_id is not None and process_id not in {p.id for p in audit.processes}:
        raise ValidationFailed(str(_l("Choose one of the audited processes.")), field="process_id")
    if kind == AgendaKind.INTERVIEW and process_id is None:
        raise ValidationFailed(
            str(_l("Say which audited process the interview is with.")), field="process_id"
        )
    item = AgendaItem(
        audit_id=audit.id,
        kind=kind,
        day=day,
        starts_at=start,
        ends_at=end,
        process_id=process_id,
        topic=text(topic, "topic", limit=2000),
        participants=text(participants, "participants", limit=2000),
    )
    session.add(item)
    session.flush()
    session.refresh(item)
    session.expire(audit, ["agenda"])
    trail.record(
        session,
        TrailAction.AUDIT_ADD_AGENDA_ITEM,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, **_describe(item)},
    )
    return item


def remove_agenda_item(session: Session, actor: Any, item_id: int) -> Audit:
    """Take a line off the agenda before the audit starts (a plan line, not evidence)."""
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(str(_l("Agenda item not found.")))
    audit = get_audit(session, actor, item.audit_id)
    may_edit_agenda(actor, audit)
    before = {"code": audit.code, **_describe(item)}
    session.delete(item)
    session.flush()
    session.expire(audit, ["agenda"])
    trail.record(
        session, TrailAction.AUDIT_REMOVE_AGENDA_ITEM, "audit", audit.id, actor=actor, before=before
    )
    return audit


@dataclass(frozen=True)
class AgendaProposal:
    kind: str
    day: date
    starts_at: str
    ends_at: str
    process_id: int | None = None
    topic: str = ""


def _days(audit: Audit) -> list[date]:
    span = (audit.end_on - audit.start_on).days
    return [audit.start_on + timedelta(days=n) for n in range(max(span, 0) + 1)]


def default_agenda(audit: Audit) -> list[AgendaProposal]:
    """The usual plan: the opening meeting, one interview per audited process, the closing.

    Interviews fill the slots of each day in turn; when the days run out, the rest share the
    last slot and the lead auditor adjusts them.
    """
    days = _days(audit)
    slots = [(day, start, end) for day in days for start, end in _SLOTS]
    proposals = [AgendaProposal(AgendaKind.OPENING, days[0], "08:00", "08:30")]
    for index, process in enumerate(audit.processes):
        day, start, end = slots[min(index, len(slots) - 1)]
        proposals.append(
            AgendaProposal(AgendaKind.INTERVIEW, day, start, end, process.id, process.name)
        )
    proposals.append(AgendaProposal(AgendaKind.CLOSING, days[-1], "17:00", "17:30"))
    return proposals


def add_default_agenda(session: Session, actor: Any, audit_id: int) -> list[AgendaItem]:
    """Put the usual agenda on a plan that has none yet."""
    audit = get_audit(session, actor, audit_id)
    may_edit_agenda(actor, audit)
    if audit.agenda:
        raise Conflict(str(_l("The agenda already has items: add or remove them one by one.")))
    return [
        add_agenda_item(
            session,
            actor,
            audit.id,
            kind=p.kind,
            day=p.day,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            process_id=p.process_id,
            topic=p.topic,
        )
        for p in default_agenda(audit)
    ]
