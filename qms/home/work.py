"""One thing a person has to do, as every domain reports it for "Mi trabajo" and the bell.

Each domain answers "what does this person have to do" in its own `my_work` module with these
plain records; `qms.home.gather` puts them on cards and orders them by urgency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class WorkItem:
    kind: str  # what is to be done, in words ("Send the plan", "Answer")
    title: str
    code: str
    url: str | None
    due_on: date | None = None
    overdue: bool = False
    badge: str = ""  # a further mark shown next to the kind: a stage, the legal term left
    badge_class: str = ""
    note: str = ""  # who or what else, shown muted (the owner of someone else's action)


def urgency(item: WorkItem) -> tuple[bool, bool, date]:
    """Overdue first, then by due date; what has no date comes last."""
    return (not item.overdue, item.due_on is None, item.due_on or date.max)
