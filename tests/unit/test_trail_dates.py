from datetime import UTC, date, datetime

from qms.trail.queries import utc_bounds


def test_days_in_bogota_become_utc_instants() -> None:
    since, until = utc_bounds(date(2026, 3, 1), date(2026, 3, 2), "America/Bogota")
    assert since == datetime(2026, 3, 1, 5, 0, tzinfo=UTC)  # Bogotá is UTC-5 all year
    assert until == datetime(2026, 3, 3, 5, 0, tzinfo=UTC)  # the end day is included


def test_open_ends_stay_open() -> None:
    assert utc_bounds(None, None, "UTC") == (None, None)
    since, until = utc_bounds(date(2026, 1, 1), None, "UTC")
    assert since == datetime(2026, 1, 1, tzinfo=UTC) and until is None


def test_daylight_saving_day_is_23_hours() -> None:
    since, until = utc_bounds(date(2026, 3, 29), date(2026, 3, 29), "Europe/Madrid")
    assert since == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert until is not None and since is not None
    assert (until - since).total_seconds() == 23 * 3600
