"""How people read times and dates: one format per language, in the organisation's zone.

Stored times are UTC; whoever reads one (page, PDF, export, copy stamp, mail) sees it in
QMS_TIMEZONE, and where the time is evidence (a signature, a print, a decision) the zone is
named with it. One format per language everywhere:

- Spanish (Colombia): dd/mm/yyyy and dd/mm/yyyy HH:MM, the way Colombian forms write them;
- English: ISO 8601, yyyy-mm-dd and yyyy-mm-dd HH:MM, read the same way on both sides of the
  Atlantic (07/12/2026 means July to one English reader and December to another).

A 24-hour clock in both. `<time datetime="…">` attributes and machine formats (API, trail
export, idempotency keys) stay ISO; only what a person reads goes through here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask, current_app, has_app_context
from flask_babel import get_locale

from qms.core.localtime import local_date, local_zone

DEFAULT_LANGUAGE = "es"
DAY_FORMATS = {"es": "%d/%m/%Y", "en": "%Y-%m-%d"}
CLOCK_FORMAT = "%H:%M"
# The same formats as spreadsheet number formats, for real date cells in XLSX exports.
SPREADSHEET_DAY_FORMATS = {"es": "dd/mm/yyyy", "en": "yyyy-mm-dd"}


def language(locale: object | None = None) -> str:
    """The language whose format applies: `locale` when given, else the current one."""
    if locale is None:
        locale = get_locale()
    if locale is None:
        default = current_app.config.get("BABEL_DEFAULT_LOCALE") if has_app_context() else None
        locale = default or DEFAULT_LANGUAGE
    code = str(locale).replace("-", "_").split("_")[0].lower()
    return code if code in DAY_FORMATS else DEFAULT_LANGUAGE


def zone_label() -> str:
    """The organisation's zone as configured (an IANA name, e.g. America/Bogota)."""
    return local_zone().key


def local_moment(moment: datetime) -> datetime:
    """A stored UTC instant on the organisation's clock (a naive value is read as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(local_zone())


def format_day(day: date | datetime | None, *, locale: object | None = None) -> str:
    """A calendar day as the language writes it ("" for none). An instant (a datetime) is
    shown as the local day it fell on, not its UTC day."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = local_date(day if day.tzinfo is not None else day.replace(tzinfo=UTC))
    return day.strftime(DAY_FORMATS[language(locale)])


def format_moment(
    moment: datetime | None, *, zone_name: bool = False, locale: object | None = None
) -> str:
    """A stored UTC instant in local time, to the minute ("" for none); `zone_name` adds the
    zone it is read in: "07/12/2026 09:33 (America/Bogota)"."""
    if moment is None:
        return ""
    local = local_moment(moment)
    text = local.strftime(f"{DAY_FORMATS[language(locale)]} {CLOCK_FORMAT}")
    return f"{text} ({zone_label()})" if zone_name else text


def spreadsheet_day_format(locale: object | None = None) -> str:
    """The number format of a date cell in an XLSX export, the same as on the pages."""
    return SPREADSHEET_DAY_FORMATS[language(locale)]


def init_app(app: Flask) -> None:
    """Templates read times through these: `{{ s.signed_at | moment(zone_name=True) }}`,
    `{{ nc.detected_on | day }}`, `{{ zone_label() }}`."""
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.globals["zone_label"] = zone_label
