"""Legal response terms for PQRS in Colombia (Ley 1755 de 2015, art. 14), in business days."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays
from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed
from qms.core.timefmt import format_day

_ONE_DAY = timedelta(days=1)


class RequestKind(StrEnum):
    """What the petitioner asked for; it decides the legal term."""

    PETITION = "petition"
    COMPLAINT = "complaint"
    CLAIM = "claim"
    SUGGESTION = "suggestion"
    DOCUMENTS = "documents"  # request for documents or information
    CONSULTATION = "consultation"


# Ley 1755 de 2015, art. 14: quejas, reclamos and sugerencias are general petitions (15 days).
TERM_DAYS: dict[RequestKind, int] = {
    RequestKind.PETITION: 15,
    RequestKind.COMPLAINT: 15,
    RequestKind.CLAIM: 15,
    RequestKind.SUGGESTION: 15,
    RequestKind.DOCUMENTS: 10,
    RequestKind.CONSULTATION: 30,
}


@lru_cache(maxsize=64)
def _holidays_in(year: int) -> frozenset[date]:
    """Colombian public holidays of one year, including those moved to Monday by Ley Emiliani."""
    # Built once per year: dashboards compute terms for every PQRS row.
    return frozenset(holidays.country_holidays("CO", years=year))


def is_business_day(day: date) -> bool:
    """True on Monday to Friday unless it is a Colombian public holiday."""
    return day.weekday() < 5 and day not in _holidays_in(day.year)


def _next_business_day(day: date) -> date:
    """The day itself when it is a business day, otherwise the first business day after it."""
    while not is_business_day(day):
        day += _ONE_DAY
    return day


def add_business_days(start: date, days: int) -> date:
    """The date `days` business days after `start` (not counted itself).

    With `days == 0` it is `start` when that is a business day, else the next business day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    if days == 0:
        return _next_business_day(start)
    day = start
    remaining = days
    while remaining:
        day += _ONE_DAY
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: date, end: date) -> int:
    """Business days after `start` up to and including `end`; 0 when `end <= start`."""
    count = 0
    day = start + _ONE_DAY
    while day <= end:
        if is_business_day(day):
            count += 1
        day += _ONE_DAY
    return count


def _kind(kind: RequestKind | str) -> RequestKind:
    """The request kind, accepting its stored string value."""
    try:
        return RequestKind(kind)
    except ValueError:
        # Kinds arrive from forms and the API, so a bad one is the caller's input error.
        raise ValidationFailed(
            str(_l("Unknown request kind: %(kind)s.", kind=str(kind))), field="kind"
        ) from None


def response_due(kind: RequestKind | str, received_on: date) -> date:
    """Last day to answer; receipt on a non-business day counts from the next business day."""
    term = TERM_DAYS[_kind(kind)]
    return add_business_days(_next_business_day(received_on), term)


def extended_due(
    kind: RequestKind | str, received_on: date, notified_on: date, extra_days: int
) -> date:
    """New due date after notifying an extension, at most the initial term again (art. 14)."""
    request_kind = _kind(kind)
    term = TERM_DAYS[request_kind]
    original_due = response_due(request_kind, received_on)
    # The law requires telling the petitioner before the term runs out, not after.
    if notified_on > original_due:
        raise ValidationFailed(
            str(
                _l(
                    "The extension must be notified on or before the original due date (%(due)s).",
                    due=format_day(original_due),
                )
            ),
            field="notified_on",
        )
    if extra_days < 1 or extra_days > term:
        raise ValidationFailed(
            str(
                _l(
                    "The extension must be between 1 and %(term)d business days.",
                    term=term,
                )
            ),
            field="extra_days",
        )
    return add_business_days(original_due, extra_days)


def days_left(due: date, today: date) -> int:
    """Business days left until `due`; negative counts the business days past it.

    A weekend or holiday right after `due` still gives 0, so test `today > due` for "overdue".
    """
    if today <= due:
        return business_days_between(today, due)
    return -business_days_between(due, today)
