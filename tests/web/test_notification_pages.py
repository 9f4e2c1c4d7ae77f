"""The bell: unread count in the header, one's own notifications only, the digest choice."""

from __future__ import annotations

from qms.core.db import db
from qms.notifications.models import Notification, NotificationSetting
from tests.documents_fixtures import build_org
from tests.helpers import csrf_token, login, trail_events


def _notify(app, user_id, title="Acción de NC-2026-0001 vence el 2026-11-25"):
    with app.app_context():
        note = Notification(user_id=user_id, key=f"k:{title}", title=title, url="/dashboard")
        db.session.add(note)
        db.session.commit()
        return note.id


def test_the_bell_counts_and_reading_marks_it(app, client):
    org = build_org(app)
    note_id = _notify(app, org.owner_id)
    login(client, "olga")
    html = client.get("/dashboard").get_data(as_text=True)
    assert 'aria-label="Notificaciones: 1 sin leer"' in html
    assert "Acción de NC-2026-0001" in client.get("/notifications").get_data(as_text=True)
    token = csrf_token(client, "/notifications")
    response = client.post(f"/notifications/{note_id}/read", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert 'aria-label="Notificaciones: 0 sin leer"' in client.get("/dashboard").get_data(
        as_text=True
    )
    assert len(trail_events(app, "notification:read")) == 1


def test_someone_elses_notification_is_not_found(app, client):
    org = build_org(app)
    note_id = _notify(app, org.owner_id)
    login(client, "sara")
    token = csrf_token(client, "/notifications")
    response = client.post(f"/notifications/{note_id}/read", data={"csrf_token": token})
    assert response.status_code == 404
    assert trail_events(app, "notification:read") == []


def test_choosing_the_daily_digest(app, client):
    org = build_org(app)
    login(client, "sara")
    token = csrf_token(client, "/notifications")
    response = client.post(
        "/notifications/settings", data={"csrf_token": token, "daily_digest": "y"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(NotificationSetting, org.staff_id).daily_digest is True
    assert len(trail_events(app, "notification:settings")) == 1
