"""The master list pages: who may, what each reader sees, and exports that match the screen."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from qms.core.spreadsheets import BOM
from qms.documents import approval
from tests.documents_fixtures import Org, build_org, new_document, through_approval

ROW_RE = re.compile(
    r'<tr class="state-(\w+)">\s*<td class="code">(?:<a href="[^"]*">)?([^<]+)(?:</a>)?</td>'
    r"\s*<td>([^<]*)</td>"
)
HEADING_RE = re.compile(r'<a class="sort[^"]*" href="[^"]*">([^<]+)')
PAGES = (
    "/master-list/",
    "/master-list/export.xlsx",
    "/master-list/export.csv",
    "/master-list/reviews-due",
)


@pytest.fixture
def org(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Org:
    """AC-PR-01 in force since long ago (review overdue), AC-PR-02 "=1+2" in force today,
    AC-CR-01 a draft."""
    org = build_org(app)
    _, v1 = new_document(app, org, "Atención de PQRS")
    long_ago = approval.today() - timedelta(days=800)
    with monkeypatch.context() as patched:
        patched.setattr(approval, "today", lambda: long_ago)
        through_approval(app, org, v1)
    _, v2 = new_document(app, org, "=1+2 Tarifas")
    through_approval(app, org, v2)
    new_document(app, org, "Caracterización", key="characterization")
    return org


def _rows(response) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """(state, code, title) of each row shown, in page order."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data(as_text=True)
    return [(s, c.strip(), html.unescape(t)) for s, c, t in ROW_RE.findall(text)]


def test_anonymous_is_sent_to_login(client: FlaskClient) -> None:
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["staff", "process_owner", "auditor", "quality_lead", "admin"])
def test_every_role_may_read_the_pages(
    client_as: Callable[..., FlaskClient], org: Org, role: str
) -> None:
    client = client_as(role)
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_staff_sees_only_documents_in_force(
    client_as: Callable[..., FlaskClient], org: Org
) -> None:
    staff = client_as("staff")
    assert [code for _s, code, _t in _rows(staff.get("/master-list/"))] == ["AC-PR-01", "AC-PR-02"]
    assert _rows(staff.get("/master-list/?state=draft")) == []
    lead = client_as("quality_lead")
    shown = _rows(lead.get("/master-list/"))
    assert [(s, c) for s, c, _t in shown] == [
        ("draft", "AC-CR-01"),
        ("effective", "AC-PR-01"),
        ("effective", "AC-PR-02"),
    ]


def test_sort_links_and_lenient_filters(client_as: Callable[..., FlaskClient], org: Org) -> None:
    lead = client_as("quality_lead")
    page = lead.get("/master-list/?sort=title").get_data(as_text=True)
    assert 'aria-sort="ascending"' in page
    assert "sort=title&amp;dir=desc" in page  # the heading now sorts the other way
    titles = [t for _s, _c, t in _rows(lead.get("/master-list/?sort=title&dir=desc"))]
    assert titles == ["Caracterización", "Atención de PQRS", "=1+2 Tarifas"]
    # Unknown values are ignored, not refused.
    assert len(_rows(lead.get("/master-list/?sort=nope&state=nope&process=ZZ&type=x"))) == 3
    assert [c for _s, c, _t in _rows(lead.get("/master-list/?q=atencion"))] == ["AC-PR-01"]


@pytest.mark.parametrize(
    "query", ["", "?state=effective&sort=next_review_on&dir=desc", "?type=procedure&q=pr"]
)
def test_xlsx_holds_the_rows_on_screen(
    client_as: Callable[..., FlaskClient], org: Org, query: str
) -> None:
    lead = client_as("quality_lead")
    page = lead.get(f"/master-list/{query}")
    shown = _rows(page)
    headings = HEADING_RE.findall(page.get_data(as_text=True))
    response = lead.get(f"/master-list/export.xlsx{query}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A3"
    header = [c.value for c in sheet[2]]
    # The page's columns, then what only the file carries (origin, retention, approval).
    assert header[: len(headings)] == [html.unescape(h.strip()) for h in headings]
    assert len(headings) == 11 and len(header) == 16
    assert all(c.font.b for c in sheet[2])
    data = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in data] == [(c, t) for _s, c, t in shown]
    for row in data:
        if row[5] is not None:  # effective from: a real date
            assert isinstance(row[5], datetime)
    # Dates show as the Spanish pages write them; the export time is local, its zone named.
    assert {c.number_format for c in sheet["F"][2:] if c.value is not None} <= {"dd/mm/yyyy"}
    assert "(America/Bogota)" in sheet["A1"].value and "UTC" not in sheet["A1"].value


def test_xlsx_keeps_a_formula_like_title_as_text(
    client_as: Callable[..., FlaskClient], org: Org
) -> None:
    response = client_as("staff").get("/master-list/export.xlsx?q=tarifas")
    sheet = load_workbook(io.BytesIO(response.data)).active
    cell = sheet["B3"]
    assert (cell.value, cell.data_type) == ("=1+2 Tarifas", "s")


def test_csv_holds_the_rows_on_screen_escaped(
    client_as: Callable[..., FlaskClient], org: Org
) -> None:
    lead = client_as("quality_lead")
    shown = _rows(lead.get("/master-list/?sort=code&dir=desc"))
    response = lead.get("/master-list/export.csv?sort=code&dir=desc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    lines = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert len(lines[0]) == 16
    assert [(r[0], r[1].removeprefix("'")) for r in lines[1:]] == [(c, t) for _s, c, t in shown]
    tarifas = next(r for r in lines[1:] if r[0] == "AC-PR-02")
    assert tarifas[1] == "'=1+2 Tarifas"  # a spreadsheet will not run it
    assert tarifas[5] == approval.today().strftime("%d/%m/%Y")  # as the Spanish page writes it


def test_reviews_due_lists_the_overdue_document_with_its_days(
    client_as: Callable[..., FlaskClient], org: Org
) -> None:
    page = client_as("staff").get("/master-list/reviews-due?within=0").get_data(as_text=True)
    assert "AC-PR-01" in page and "AC-PR-02" not in page
    days = re.findall(r'data-days-overdue="(-?\d+)"', page)
    assert len(days) == 1 and int(days[0]) > 0
    mine = client_as("staff").get("/master-list/reviews-due?mine=y").get_data(as_text=True)
    assert "AC-PR-01" not in mine
