"""The search page: one box, results one per document, facets beside them."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.search.hooks import search_index
from qms.search.results import Results, search
from qms.search.urls import search_bp as bp

# The filter each facet adds to the query (see qms.search.query.FILTERS).
FACET_FILTERS = {"process": "proceso", "type": "tipo", "state": "estado", "year": "año"}


def _day(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Give the date as YYYY-MM-DD."), field="on") from None


@bp.get("")
@permission_required(Permission.DOCUMENT_READ)
def index() -> ResponseReturnValue:
    query = request.args.get("q", "")
    any_word = request.args.get("any") == "1"
    history = request.args.get("history") == "1"
    on = request.args.get("on", "").strip()
    error, results = None, Results([], 0, {})
    try:
        results = search(
            db.session,
            current_user,
            search_index(current_app),
            query,
            any_word=any_word,
            history=history,
            in_force_on_day=_day(on),
        )
    except ValidationFailed as failure:
        error = failure.message
    status = 400 if error else 200
    return render_template(
        "search/results.html",
        query=query,
        any_word=any_word,
        history=history,
        on=on,
        results=results,
        facet_filters=FACET_FILTERS,
        error=error,
    ), status
