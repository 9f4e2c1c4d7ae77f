"""The search page: one box, results as the versions the reader may open."""

from __future__ import annotations

from flask import current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.search.hooks import search_index
from qms.search.services import search_versions
from qms.search.urls import search_bp as bp


@bp.get("")
@permission_required(Permission.DOCUMENT_READ)
def index() -> ResponseReturnValue:
    query = request.args.get("q", "")
    any_word = request.args.get("any") == "1"
    error, hits = None, []
    try:
        hits = search_versions(
            db.session, current_user, search_index(current_app), query, any_word=any_word
        )
    except ValidationFailed as failure:
        error = failure.message
    status = 400 if error else 200
    return render_template(
        "search/results.html", query=query, any_word=any_word, hits=hits, error=error
    ), status
