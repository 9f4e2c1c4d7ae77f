from collections.abc import Iterator
from datetime import date, timedelta

import holidays
import pytest
from flask import Flask
from flask_babel import Babel

from qms.capa import terms
from qms.capa.terms import (
    TERM_DAYS,
    RequestKind,
    add_business_days,
    business_days_between,
    days_left,
    extended_due,
    is_business_day,
    response_due,
)
from qms.core.errors import ValidationFailed


@pytest.fixture
def app_context() -> Iterator[None]:
    """A bare app with Babel, so the lazy error messages can be turned into text."""
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


def test_package_knows_the_holidays_the_tests_rely_on() -> None:
    co = holidays.country_holidays("CO", years=[2026, 2027])
    assert date(2026, 3, 23) in co  # San José, moved from Thursday 19 March to Monday
    assert date(2026, 11, 2) in co  # Todos los Santos, moved from Sunday 1 November
    assert date(2026, 11, 16) in co  # Independencia de Cartagena, moved from Wednesday 11
    assert date(2026, 12, 8) in co  # Inmaculada Concepción, a Tuesday, never moved
    assert date(2026, 12, 25) in co
    assert date(2027, 1, 1) in co
    assert date(2027, 1, 11) in co  # Reyes Magos, moved from Wednesday 6 January
    assert date(2026, 11, 11) not in co
    assert date(2027, 1, 6) not in co


def test_term_table() -> None:
    assert TERM_DAYS == {
        RequestKind.PETITION: 15,
        RequestKind.COMPLAINT: 15,
        RequestKind.CLAIM: 15,
        RequestKind.SUGGESTION: 15,
        RequestKind.DOCUMENTS: 10,
        RequestKind.CONSULTATION: 30,
    }


def test_business_days_skip_weekends_and_holidays_only() -> None:
    assert is_business_day(date(2026, 12, 7))  # Monday
    assert not is_business_day(date(2026, 12, 8))  # holiday Tuesday
    assert not is_business_day(date(2026, 12, 12))  # Saturday
    assert not is_business_day(date(2026, 12, 13))  # Sunday
    assert not is_business_day(date(2026, 11, 16))  # Monday-moved holiday
    assert is_business_day(date(2026, 11, 11))  # its original Wednesday is a working day
    assert not is_business_day(date(2027, 1, 11))  # Reyes Magos Monday
    assert is_business_day(date(2027, 1, 6))


def test_add_business_days_does_not_count_the_start() -> None:
    assert add_business_days(date(2026, 12, 4), 1) == date(2026, 12, 7)  # Friday to Monday
    assert add_business_days(date(2026, 12, 7), 1) == date(2026, 12, 9)  # over the 8th
    assert add_business_days(date(2026, 12, 12), 1) == date(2026, 12, 14)  # from Saturday


def test_add_zero_business_days() -> None:
    assert add_business_days(date(2026, 12, 9), 0) == date(2026, 12, 9)
    assert add_business_days(date(2026, 12, 12), 0) == date(2026, 12, 14)  # Saturday
    assert add_business_days(date(2026, 11, 14), 0) == date(2026, 11, 17)  # Sat, holiday Mon


def test_add_negative_business_days_is_refused() -> None:
    with pytest.raises(ValueError):
        add_business_days(date(2026, 12, 9), -1)


def test_business_days_between() -> None:
    assert business_days_between(date(2026, 12, 4), date(2026, 12, 7)) == 1  # Fri to Mon
    assert business_days_between(date(2026, 12, 7), date(2026, 12, 9)) == 1  # holiday between
    assert business_days_between(date(2026, 12, 1), date(2026, 12, 23)) == 15
    assert business_days_between(date(2026, 12, 9), date(2026, 12, 9)) == 0
    assert business_days_between(date(2026, 12, 9), date(2026, 12, 1)) == 0


def test_adding_and_counting_agree_over_two_years() -> None:
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        for n in (1, 10, 15, 30):
            assert business_days_between(day, add_business_days(day, n)) == n
        day += timedelta(days=1)


def test_petition_term_crosses_inmaculada_concepcion() -> None:
    # Received Tuesday 1 December 2026; without the 8th it would be due on the 22nd.
    assert response_due(RequestKind.PETITION, date(2026, 12, 1)) == date(2026, 12, 23)


def test_documents_term_crosses_christmas() -> None:
    # Monday 14 December: ten business days skip Friday 25 December.
    assert response_due(RequestKind.DOCUMENTS, date(2026, 12, 14)) == date(2026, 12, 29)


def test_complaint_term_crosses_two_monday_moved_holidays() -> None:
    # Friday 30 October 2026: 2 and 16 November are holidays, 11 November is not.
    assert response_due(RequestKind.COMPLAINT, date(2026, 10, 30)) == date(2026, 11, 24)


def test_receipt_on_saturday_counts_from_monday() -> None:
    # Saturday 7 March 2026 is received Monday 9, so day 1 is Tuesday 10.
    assert response_due(RequestKind.CLAIM, date(2026, 3, 7)) == date(2026, 3, 31)
    assert response_due(RequestKind.CLAIM, date(2026, 3, 8)) == date(2026, 3, 31)  # Sunday
    # One day earlier, on the Friday, the term ends a business day sooner.
    assert response_due(RequestKind.CLAIM, date(2026, 3, 6)) == date(2026, 3, 30)


def test_receipt_on_a_holiday_counts_from_the_next_business_day() -> None:
    # Monday 23 March 2026 (San José) is received Tuesday 24; Holy Thursday and Friday skipped.
    assert response_due(RequestKind.DOCUMENTS, date(2026, 3, 23)) == date(2026, 4, 9)


def test_documents_against_consultation_and_general_terms() -> None:
    received = date(2026, 2, 2)  # Monday, no holidays until 23 March
    assert response_due(RequestKind.DOCUMENTS, received) == date(2026, 2, 16)
    assert response_due(RequestKind.PETITION, received) == date(2026, 2, 23)
    assert response_due(RequestKind.SUGGESTION, received) == date(2026, 2, 23)
    assert response_due(RequestKind.CONSULTATION, received) == date(2026, 3, 16)


def test_kind_can_be_given_as_its_string_value() -> None:
    assert response_due("documents", date(2026, 2, 2)) == date(2026, 2, 16)
    with pytest.raises(ValidationFailed) as caught:
        response_due("gossip", date(2026, 2, 2))
    assert caught.value.field == "kind"


def test_term_over_the_year_boundary() -> None:
    # 25 Dec, 1 Jan and the Reyes Magos Monday (11 Jan 2027) are all skipped.
    assert response_due(RequestKind.PETITION, date(2026, 12, 21)) == date(2027, 1, 14)
    assert business_days_between(date(2026, 12, 21), date(2027, 1, 14)) == 15


def test_extension_within_limits() -> None:
    received = date(2026, 12, 1)  # originally due 23 December
    assert extended_due(RequestKind.PETITION, received, date(2026, 12, 22), 5) == date(2026, 12, 31)
    # Twice the term at most: 15 more business days over Christmas, New Year and Reyes.
    assert extended_due("petition", received, date(2026, 12, 23), 15) == date(2027, 1, 18)


def test_extension_notified_after_the_due_date_is_refused(app_context: None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        extended_due(RequestKind.PETITION, date(2026, 12, 1), date(2026, 12, 24), 5)
    assert caught.value.field == "notified_on"
    assert "2026-12-23" in caught.value.message


def test_extension_longer_than_the_term_is_refused(app_context: None) -> None:
    received = date(2026, 2, 2)  # documents due 16 February
    assert extended_due(RequestKind.DOCUMENTS, received, date(2026, 2, 10), 10) == date(2026, 3, 2)
    with pytest.raises(ValidationFailed) as caught:
        extended_due(RequestKind.DOCUMENTS, received, date(2026, 2, 10), 11)
    assert caught.value.field == "extra_days"
    assert "between 1 and 10 business days" in caught.value.message
    with pytest.raises(ValidationFailed):
        extended_due(RequestKind.DOCUMENTS, received, date(2026, 2, 10), 0)


def test_days_left_before_on_and_after_the_due_date() -> None:
    due = date(2026, 12, 9)  # Wednesday after the holiday Tuesday
    assert days_left(due, date(2026, 12, 4)) == 2  # Monday 7 and Wednesday 9
    assert days_left(due, date(2026, 12, 9)) == 0
    assert days_left(due, date(2026, 12, 14)) == -3  # 10, 11 and 14 December past due


def test_days_left_over_a_weekend_after_the_due_date_is_zero() -> None:
    # Due Friday: Sunday is late but no business day has passed yet.
    assert days_left(date(2026, 12, 11), date(2026, 12, 13)) == 0
    assert days_left(date(2026, 12, 11), date(2026, 12, 14)) == -1


def test_holiday_sets_are_cached_per_year() -> None:
    is_business_day(date(2026, 6, 1))
    before = terms._holidays_in.cache_info()
    for day in range(1, 31):
        is_business_day(date(2026, 6, day))
    after = terms._holidays_in.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits
