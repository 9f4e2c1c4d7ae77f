"""Evidence files: attached by those who treat the nonconformity (or own the action), kept in
the blob store, downloaded only by those who may see it, served so they never run."""

from __future__ import annotations

from io import BytesIO

import sqlalchemy as sa

from qms.capa import services
from qms.capa.models import NonconformityEvidence
from qms.core.db import db
from qms.documents import approval
from tests.documents_fixtures import build_org, user
from tests.helpers import csrf_token, login, trail_events


def _nc(app, org) -> int:
    with app.app_context():
        nc = services.report_nonconformity(
            db.session,
            user(org.staff_id),
            source="other",
            process_id=org.process_id,
            title="Fuga en bodega",
            description="Agua sobre cajas de formatos.",
            detected_on=approval.today(),
        )
        services.accept_nonconformity(db.session, user(org.approver_id), nc.id)
        db.session.commit()
        return nc.id


# A picture whose bytes also hold a script, named like a web page: stored as the PNG it is.
PICTURE = b"\x89PNG\r\n\x1a\n<script>alert(1)</script>"


def _upload(client, nc_id, name="foto.html", data=PICTURE):
    token = csrf_token(client, f"/nonconformities/{nc_id}")
    return client.post(
        f"/nonconformities/{nc_id}/evidence",
        data={"csrf_token": token, "action_id": "0", "file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_process_leader_attaches_and_it_downloads_inert(app):
    org = build_org(app)
    nc_id = _nc(app, org)
    leader = app.test_client()
    login(leader, "olga")
    response = _upload(leader, nc_id)
    assert response.status_code == 302
    [event] = trail_events(app, "nonconformity:attach")
    assert '"file":"foto.html"' in event.after
    with app.app_context():
        evidence_id = db.session.scalar(sa.select(NonconformityEvidence.id))
    page = leader.get(f"/nonconformities/{nc_id}").get_data(as_text=True)
    assert f"/nonconformities/evidence/{evidence_id}" in page
    download = leader.get(f"/nonconformities/evidence/{evidence_id}")
    assert download.data == PICTURE
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    other = app.test_client()
    login(other, "raul")  # cannot see this nonconformity: the file is not found either
    assert other.get(f"/nonconformities/evidence/{evidence_id}").status_code == 404


def test_the_reporter_may_not_attach_once_it_is_accepted_and_nothing_is_stored(app):
    org = build_org(app)
    nc_id = _nc(app, org)
    staff = app.test_client()
    login(staff, "sara")
    assert _upload(staff, nc_id).status_code == 403
    empty = app.test_client()
    login(empty, "olga")
    assert _upload(empty, nc_id, data=b"").status_code == 400
    page = _upload(empty, nc_id, data=b"<!doctype html><script>alert(1)</script>")
    assert page.status_code == 400 and "página web" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(NonconformityEvidence.id))) == 0
    assert trail_events(app, "nonconformity:attach") == []
