"""Search through the API: the same rules as the page (`qms.search`)."""

from __future__ import annotations

from datetime import date

from flask import current_app

from qms.api.blueprint import api
from qms.api.models.search import SearchResults
from qms.api.registry import Query
from qms.core.db import db
from qms.core.permissions import Permission
from qms.search.backend_of import search_backend
from qms.search.results import SORTS, search
from qms.users.models import User

TAG = "search"


@api.route(
    "/search",
    summary="Search documents and records as the search page does: words, phrases, filters",
    description=(
        '`q` takes words (all required unless `any`), "phrases", codes whole or by family '
        "(`csc-ac`), clause numbers (`8.5.1`) and the filters `clase:`, `proceso:`, `tipo:`, "
        "`estado:`, `cláusula:`, `código:`, `persona:` and `año:`. One entry per document "
        "or record; only what the token's owner may see."
    ),
    response=SearchResults,
    permission=Permission.DOCUMENT_READ,
    params=[
        Query("q", "string", "What to look for (at most 200 characters)."),
        Query("any", "boolean", "Any of the words rather than all.", default=False, arg="any_word"),
        Query("history", "boolean", "Include superseded and obsolete versions.", default=False),
        Query("on", "date", "Only the version of each document in force on that day."),
        Query("sort", "string", "By relevance or by date (newest first).", enum=SORTS),
        Query("limit", "integer", "Hits at most.", minimum=1, maximum=200, default=50),
    ],
    tag=TAG,
)
def search_documents(
    actor: User,
    q: str | None,
    any_word: bool | None,
    history: bool | None,
    on: date | None,
    sort: str | None,
    limit: int | None,
) -> SearchResults:
    results = search(
        db.session,
        actor,
        search_backend(current_app),
        q or "",
        any_word=bool(any_word),
        history=bool(history),
        in_force_on_day=on,
        sort=sort or "relevance",
        limit=limit or 50,
    )
    return SearchResults.of(results)
