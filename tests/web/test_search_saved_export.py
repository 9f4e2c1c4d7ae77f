"""The search page for an audit file: sorting by date, saved searches (each person's own, with
the trail), and the results exported to CSV and XLSX as the page lists them."""

from __future__ import annotations

import io
import json

import sqlalchemy as sa
from openpyxl import load_workbook

from qms.core.db import db
from qms.core.trail_actions import TrailAction
from qms.documents.authoring import update_draft
from qms.search.saved_models import SavedSearch
from tests.documents_fixtures import build_org, new_document, through_approval, user
from tests.helpers import csrf_token, login, trail_events


def _documents(app):
    org = build_org(app)
    made = []
    for key, title, text in (
        ("procedure", "Atención de quejas", "Registrar la queja del usuario."),
        ("procedure", '=HYPERLINK("http://x") quejas', "Responder la queja a tiempo."),
    ):
        _, version_id = new_document(app, org, title=title, key=key)
        with app.app_context():
            update_draft(
                db.session,
                user(org.owner_id),
                version_id,
                content=[{"kind": "text", "text": text}],
            )
            db.session.commit()
        through_approval(app, org, version_id)
        made.append(version_id)
    return org, made


def test_results_export_to_csv_and_xlsx_as_listed(app, client):
    _documents(app)
    login(client, "sara")
    page = client.get("/search?q=queja").get_data(as_text=True)
    assert "2 resultados para" in page and "/search/export.csv?q=queja" in page

    csv = client.get("/search/export.csv?q=queja")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Clase,Código,Título,Versión,Estado")
    assert len(lines) == 3 and "Atención de quejas" in text
    assert "'=HYPERLINK" in text  # a title is never run as a formula
    assert "<mark>" not in text  # matches as plain text

    xlsx = client.get("/search/export.xlsx?q=queja&sort=date")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert {row[2] for row in rows} == {"Atención de quejas", '=HYPERLINK("http://x") quejas'}
    assert sheet.cell(row=3, column=3).data_type == "s"


def test_a_bad_sort_is_a_clear_400(app, client):
    _documents(app)
    login(client, "sara")
    response = client.get("/search?q=queja&sort=rank")
    assert response.status_code == 400
    assert "Ordene por relevancia o por fecha." in response.get_data(as_text=True)


def test_save_run_and_remove_a_search_with_the_trail(app, client):
    _documents(app)
    login(client, "sara")
    token = csrf_token(client, "/search?q=queja")
    response = client.post(
        "/search/saved",
        data={"csrf_token": token, "name": "Quejas", "q": "queja", "sort": "date", "on": ""},
    )
    assert response.status_code == 302 and "q=queja" in response.headers["Location"]
    page = client.get("/search").get_data(as_text=True)
    assert "Búsquedas guardadas" in page and "/search?q=queja&amp;sort=date" in page
    assert [
        json.loads(e.after)["name"] for e in trail_events(app, TrailAction.SAVED_SEARCH_CREATE)
    ] == ["Quejas"]

    # The same name again is refused with a message; nothing more is stored.
    again = client.post("/search/saved", data={"csrf_token": token, "name": "Quejas", "q": "otra"})
    assert again.status_code == 302
    assert "Ya tiene una búsqueda guardada con este nombre." in client.get("/search").get_data(
        as_text=True
    )
    with app.app_context():
        saved = db.session.scalars(sa.select(SavedSearch)).all()
        assert [s.query for s in saved] == ["queja"]
        saved_id = saved[0].id

    # Another person neither sees nor removes it: it answers as missing.
    client.post("/logout", data={"csrf_token": token})
    login(client, "olga")
    other = client.post(
        f"/search/saved/{saved_id}/remove", data={"csrf_token": csrf_token(client, "/search")}
    )
    assert other.status_code == 404
    assert "Quejas" not in client.get("/search").get_data(as_text=True)
    assert trail_events(app, TrailAction.SAVED_SEARCH_REMOVE) == []

    client.post("/logout", data={"csrf_token": csrf_token(client, "/search")})
    login(client, "sara")
    removed = client.post(
        f"/search/saved/{saved_id}/remove", data={"csrf_token": csrf_token(client, "/search")}
    )
    assert removed.status_code == 302
    assert "Búsquedas guardadas" not in client.get("/search").get_data(as_text=True)
    with app.app_context():
        kept = db.session.get(SavedSearch, saved_id)
        assert kept is not None and kept.removed_at is not None  # kept, marked removed
    assert len(trail_events(app, TrailAction.SAVED_SEARCH_REMOVE)) == 1


def test_saving_without_the_csrf_token_stores_nothing(app, client):
    _documents(app)
    login(client, "sara")
    client.post("/search/saved", data={"name": "Quejas", "q": "queja"})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedSearch)) == 0
