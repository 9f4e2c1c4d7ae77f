from tests.helpers import PASSWORD, login, make_user, trail_events


def test_login_then_dashboard(app, client):
    make_user(app, "ana", ["staff"])
    response = login(client, "ana", PASSWORD)
    assert response.status_code == 302
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Ana" in page.get_data(as_text=True)
    assert [e.action for e in trail_events(app, "session:login")] == ["session:login"]
