"""The search page: one box, results one per document or record, facets beside them, and the
same results as CSV or XLSX for an audit file."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from qms.core import spreadsheets
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.localtime import local_now
from qms.core.permissions import Permission, permission_required
from qms.search import export, saved
from qms.search.backend_of import search_backend
from qms.search.results import Results, search
from qms.search.saved_views import RemoveSavedSearchForm, SaveSearchForm, day_asked
from qms.search.services import CANDIDATES
from qms.search.urls import search_bp as bp

# The filter each facet adds to the query (see qms.search.query.FILTERS).
FACET_FILTERS = {
    "kind": "clase",
    "process": "proceso",
    "type": "tipo",
    "state": "estado",
    "year": "año",
}


@dataclass(frozen=True)
class _Asked:
    """A search as the page's query string gives it."""

    query: str
    any_word: bool
    history: bool
    on: str
    sort: str

    @classmethod
    def from_request(cls) -> _Asked:
        return cls(
            query=request.args.get("q", ""),
            any_word=request.args.get("any") == "1",
            history=request.args.get("history") == "1",
            on=request.args.get("on", "").strip(),
            sort=request.args.get("sort", "relevance"),
        )

    def run(self, limit: int) -> Results:
        return search(
            db.session,
            current_user,
            search_backend(current_app),
            self.query,
            any_word=self.any_word,
            history=self.history,
            in_force_on_day=day_asked(self.on),
            sort=self.sort,
            limit=limit,
        )


@bp.get("")
@permission_required(Permission.DOCUMENT_READ)
def index() -> ResponseReturnValue:
    asked = _Asked.from_request()
    error, results = None, Results([], 0, {})
    try:
        results = asked.run(limit=50)
    except ValidationFailed as failure:
        error = failure.message
    status = 400 if error else 200
    return render_template(
        "search/results.html",
        query=asked.query,
        any_word=asked.any_word,
        history=asked.history,
        on=asked.on,
        sort=asked.sort,
        results=results,
        facet_filters=FACET_FILTERS,
        error=error,
        saved_searches=saved.saved_searches(db.session, current_user),
        save_form=SaveSearchForm(
            formdata=None,
            q=asked.query,
            any=asked.any_word,
            history=asked.history,
            on=asked.on,
            sort=asked.sort,
        ),
        remove_form=RemoveSavedSearchForm(),
    ), status


@bp.get("/export.csv")
@permission_required(Permission.DOCUMENT_READ)
def export_csv() -> ResponseReturnValue:
    results = _Asked.from_request().run(limit=CANDIDATES)
    name = export.filename(local_now(), "csv")
    return Response(
        export.csv_bytes(results),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/export.xlsx")
@permission_required(Permission.DOCUMENT_READ)
def export_xlsx() -> ResponseReturnValue:
    asked = _Asked.from_request()
    results = asked.run(limit=CANDIDATES)
    now = local_now()
    return Response(
        export.xlsx_bytes(results, asked.query, now),
        mimetype=spreadsheets.XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{export.filename(now, "xlsx")}"'},
    )
