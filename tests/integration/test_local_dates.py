""" "Today" is the organisation's day: at 02:00 UTC it is still the evening before in Bogotá, so
the UTC date is a day in the future there and a nonconformity or PQRS dated on it is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from qms.capa import pqrs, services
from qms.core import db as core_db
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.localtime import local_today
from tests.documents_fixtures import Org, build_org, user

# 02:00 UTC on Wednesday 4 March 2026 = Tuesday 3 March, 21:00, in Bogotá (UTC-5).
NIGHT = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
UTC_DAY, LOCAL_DAY = date(2026, 3, 4), date(2026, 3, 3)


@pytest.fixture
def org(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Org:
    assert app.extensions["qms_settings"].timezone == "America/Bogota"
    built = build_org(app)
    monkeypatch.setattr(core_db, "utcnow", lambda: NIGHT)  # the one clock "today" reads
    return built


def _report(org: Org, detected_on: date):  # type: ignore[no-untyped-def]
    return services.report_nonconformity(
        db.session,
        user(org.staff_id),
        source="process",
        process_id=org.process_id,
        title="Respuesta tardía",
        description="Una PQRS se respondió fuera de término.",
        detected_on=detected_on,
    )


def _register(org: Org, received_on: date):  # type: ignore[no-untyped-def]
    return pqrs.register_pqrs(
        db.session,
        user(org.staff_id),
        kind="complaint",
        channel="email",
        customer_name="María Pérez",
        text="Mi queja no fue respondida.",
        received_on=received_on,
    )


def test_today_is_the_local_day_of_the_clock(app: Flask, org: Org) -> None:
    with app.app_context():
        assert local_today() == LOCAL_DAY


def test_a_nonconformity_detected_on_the_utc_day_is_in_the_future_locally(
    app: Flask, org: Org
) -> None:
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            _report(org, UTC_DAY)
        assert refused.value.field == "detected_on"
        assert _report(org, LOCAL_DAY).detected_on == LOCAL_DAY


def test_a_pqrs_received_or_answered_on_the_utc_day_is_in_the_future_locally(
    app: Flask, org: Org
) -> None:
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            _register(org, UTC_DAY)
        assert refused.value.field == "received_on"
        request = _register(org, LOCAL_DAY)
        lead = user(org.approver_id)
        pqrs.route_pqrs(db.session, lead, request.id, process_id=org.process_id)
        with pytest.raises(ValidationFailed) as late:
            pqrs.answer_pqrs(db.session, lead, request.id, answer="Resuelta.", answered_on=UTC_DAY)
        assert late.value.field == "answered_on"
        pqrs.answer_pqrs(db.session, lead, request.id, answer="Resuelta.", answered_on=LOCAL_DAY)
        assert request.answered_on == LOCAL_DAY
