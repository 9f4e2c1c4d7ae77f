"""Days nobody audits on: weekends and Colombian public holidays (those Ley Emiliani moves to a
Monday included), named in the reader's language, for the audit calendar and for the warning
when an audit is planned or rescheduled onto one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask_babel import format_date
from flask_babel import gettext as _

from qms.core.timefmt import language

COUNTRY = "CO"
# The `holidays` package names Colombian holidays in these; anything else reads English.
HOLIDAY_LANGUAGES = {"es": "es", "en": "en_US"}


@dataclass(frozen=True)
class DayOff:
    day: date
    holiday: str  # the holiday's name, "" for a plain weekend day

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@lru_cache(maxsize=32)
def _holidays(year: int, lang: str) -> dict[date, str]:
    # Built once per year and language: a calendar page asks for every day of a month.
    named = holidays.country_holidays(COUNTRY, years=year, language=lang)
    return dict(named.items())


def holiday_name(day: date) -> str:
    """The holiday's name in the current language, "" on a working day or a weekend."""
    lang = HOLIDAY_LANGUAGES.get(language(), "en_US")
    return _holidays(day.year, lang).get(day, "")


def day_off(day: date) -> DayOff | None:
    """The day, named when it is a holiday, if nobody works on it; None on a working day."""
    name = holiday_name(day)
    if name or day.weekday() >= 5:
        return DayOff(day, name)
    return None


def days_off(first: date, last: date) -> list[DayOff]:
    """The weekend days and holidays from `first` to `last`, both included."""
    found = []
    day = first
    while day <= last:
        off = day_off(day)
        if off is not None:
            found.append(off)
        day += timedelta(days=1)
    return found


def describe(off: DayOff) -> str:
    """ "sáb 7 mar 2026 (fin de semana)" or "lun 23 mar 2026 (Día de San José (observado))"."""
    when = format_date(off.day, "EEE d MMM yyyy")
    return _("%(day)s (%(why)s)", day=when, why=off.holiday or _("weekend"))


def warning_for(first: date, last: date) -> str | None:
    """The warning to show when an audit starts or ends on a day off, or runs over a holiday;
    None otherwise (a weekend inside a week-long audit is expected). A warning, never a
    refusal: some audits are planned on a Saturday on purpose (a plant working that day)."""
    found = [off for off in days_off(first, last) if off.holiday or off.day in (first, last)]
    if not found:
        return None
    return _(
        "Check the dates: the audit falls on days nobody may be working: %(days)s.",
        days=", ".join(describe(off) for off in found),
    )
