"""The organisation's calendar (its settings page, else QMS_TIMEZONE): stored times are UTC,
dates people mean are local."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from qms.config import default_timezone
from qms.core import db as clock


def local_zone() -> ZoneInfo:
    # Outside the app (scripts, tests) the same setting applies, read from the environment:
    # UTC there would put "today" a day ahead of the app every evening in Bogotá.
    if has_app_context():
        # The organisation's settings page sets it (qms.organisation); else QMS_TIMEZONE.
        zone_name = current_app.extensions.get("qms_zone_name")
        if zone_name is not None:
            return ZoneInfo(zone_name())
        return ZoneInfo(current_app.extensions["qms_settings"].timezone)
    return ZoneInfo(default_timezone())


def local_now() -> datetime:
    """Now where the organisation is (export stamps, file names), from the one clock."""
    return clock.utcnow().astimezone(local_zone())


def local_today() -> date:
    """Today where the organisation is, read from the one clock stored times come from
    (qms.core.db.utcnow): at 02:00 UTC it is still yesterday in Bogotá."""
    return local_date(clock.utcnow())


def local_date(moment: datetime) -> date:
    """The local calendar day of a stored UTC instant."""
    return moment.astimezone(local_zone()).date()
