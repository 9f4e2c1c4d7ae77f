"""Times and dates as people read them: the organisation's zone, one format per language."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from flask import Flask, render_template_string
from flask_babel import Babel, force_locale

from qms.core import timefmt
from qms.core.timefmt import format_day, format_moment, spreadsheet_day_format

# 03:30 UTC on 8 December is still 7 December, 22:30, in Bogotá (UTC-5 all year).
LATE_EVENING = datetime(2026, 12, 8, 3, 30, tzinfo=UTC)


@pytest.fixture
def app() -> Iterator[Flask]:
    """The least the formatting needs: Babel and the configured zone, no database."""
    application = Flask(__name__)
    application.config["BABEL_DEFAULT_LOCALE"] = "es"
    application.extensions["qms_settings"] = SimpleNamespace(timezone="America/Bogota")
    Babel(application)
    timefmt.init_app(application)
    with application.test_request_context():
        yield application


def test_spanish_reads_the_local_day_and_time_day_first(app: Flask) -> None:
    with force_locale("es"):
        assert format_moment(LATE_EVENING) == "07/12/2026 22:30"
        assert format_moment(LATE_EVENING, zone_name=True) == "07/12/2026 22:30 (America/Bogota)"
        assert format_day(date(2026, 1, 9)) == "09/01/2026"
        assert format_day(LATE_EVENING) == "07/12/2026"  # the local day of the instant
        assert spreadsheet_day_format() == "dd/mm/yyyy"


def test_english_reads_iso_dates_on_the_same_clock(app: Flask) -> None:
    with force_locale("en"):
        assert format_moment(LATE_EVENING) == "2026-12-07 22:30"
        assert format_moment(LATE_EVENING, zone_name=True) == "2026-12-07 22:30 (America/Bogota)"
        assert format_day(date(2026, 1, 9)) == "2026-01-09"
        assert spreadsheet_day_format() == "yyyy-mm-dd"


def test_nothing_reads_as_empty_and_a_naive_time_is_utc(app: Flask) -> None:
    assert format_moment(None) == "" and format_day(None) == ""
    assert format_moment(LATE_EVENING.replace(tzinfo=None), locale="es") == "07/12/2026 22:30"


def test_an_unknown_language_falls_back_to_spanish_and_a_region_is_ignored(app: Flask) -> None:
    assert format_day(date(2026, 1, 9), locale="fr") == "09/01/2026"
    assert format_day(date(2026, 1, 9), locale="en_GB") == "2026-01-09"


def test_templates_read_times_through_the_filters(app: Flask) -> None:
    source = "{{ at | moment(zone_name=True) }} · {{ on | day }} · {{ zone_label() }}"
    with force_locale("es"):
        shown = render_template_string(source, at=LATE_EVENING, on=date(2026, 12, 7))
    assert shown == "07/12/2026 22:30 (America/Bogota) · 07/12/2026 · America/Bogota"
    assert "UTC" not in shown


def test_another_zone_moves_the_clock_and_is_named(app: Flask) -> None:
    app.extensions["qms_settings"] = SimpleNamespace(timezone="Europe/Madrid")
    assert format_moment(LATE_EVENING, zone_name=True, locale="es") == (
        "08/12/2026 04:30 (Europe/Madrid)"
    )
