"""A signature reads in the organisation's zone, named, on the signing page and on the printed
copy, and so does the copy's stamp: a copy never looks printed before it was approved."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

import pytest
from flask import Flask
from pypdf import PdfReader

from qms.core.db import db
from qms.documents import signing
from qms.printing import copies
from qms.trail import services as trail_services
from tests.documents_fixtures import Org, build_org, user
from tests.helpers import login
from tests.signing_helpers import effective, in_approval

# 03:30 UTC on 4 March 2026 is 22:30 on 3 March in Bogotá; the copy is printed 15 min later.
SIGNED = datetime(2026, 3, 4, 3, 30, tzinfo=UTC)
PRINTED = datetime(2026, 3, 4, 3, 45, tzinfo=UTC)
ZONE = "America/Bogota"


@pytest.fixture
def org(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Org:
    assert app.extensions["qms_settings"].timezone == ZONE
    monkeypatch.setattr(signing, "utcnow", lambda: SIGNED)
    monkeypatch.setattr(copies, "utcnow", lambda: PRINTED)
    # A print is stamped with the time of its own trail event.
    monkeypatch.setattr(trail_services, "utcnow", lambda: PRINTED)
    return build_org(app)


def _speaks(app: Flask, user_id: int, locale: str) -> None:
    with app.app_context():
        user(user_id).locale = locale
        db.session.commit()


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_signing_page_shows_earlier_signatures_in_local_time_with_the_zone(
    app: Flask, org: Org
) -> None:
    _, version_id = in_approval(app, org)
    approver = app.test_client()
    login(approver, "ana")
    page = _flat(approver.get(f"/documents/versions/{version_id}/approve").get_data(as_text=True))
    assert f"03/03/2026 22:30 ({ZONE})" in page  # authored and reviewed: the local evening
    assert "UTC" not in page and "04/03/2026" not in page and "2026-03-04 03:30" not in page
    assert 'datetime="2026-03-04T03:30:00+00:00"' in page  # the machine-readable instant

    _speaks(app, org.approver_id, "en")
    page = _flat(approver.get(f"/documents/versions/{version_id}/approve").get_data(as_text=True))
    assert f"2026-03-03 22:30 ({ZONE})" in page and "UTC" not in page


@pytest.mark.slow
def test_the_printed_copy_reads_signatures_and_stamp_on_the_same_clock(
    app: Flask, org: Org
) -> None:
    _, version_id = effective(app, org)
    reader = app.test_client()
    login(reader, "sara")
    response = reader.get(f"/print/versions/{version_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _flat("\n".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages))
    assert "Elaboró" in text and "Aprobó" in text
    assert text.count(f"03/03/2026 22:30 ({ZONE})") >= 3  # authored, reviewed, approved
    assert f"03/03/2026 22:45 ({ZONE})" in text  # "printed … on", after the approval
    assert "UTC" not in text and "04/03/2026" not in text
