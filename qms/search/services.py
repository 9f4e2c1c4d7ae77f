"""Searching versions: Whoosh finds candidates, the database says which the reader may see."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh import query as q
from whoosh.collectors import FilterCollector, TimeLimit, TimeLimitCollector
from whoosh.highlight import ContextFragmenter, Formatter, get_text, highlight
from whoosh.index import Index

from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, require
from qms.documents.models import DocumentVersion
from qms.documents.queries import version_visibility
from qms.search.analysis import ANALYZER
from qms.search.query import parse
from qms.search.visibility import index_filter

MAX_QUERY = 200
CANDIDATES = 500
TIME_LIMIT_S = 2.0  # a search never holds a worker longer than this
MARKED = 20  # hits whose snippet marks the matches (the first page's)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hit:
    version_id: int
    document_id: int
    code: str
    title: str
    process: str
    number: int
    state: str
    snippet: Markup
    content: str  # the indexed text, to mark later
    terms: frozenset[str]  # the query's content terms


def plain_start(text: str) -> Markup:
    return escape(text[:200])


def snippet_for(text: str, terms: frozenset[str]) -> Markup:
    """The passages of `text` where `terms` match, escaped, the matches in <mark>."""
    marked = highlight(
        text,
        terms,
        ANALYZER,
        ContextFragmenter(maxchars=200, surround=60),
        _EscapingFormatter(),
    )
    return Markup(marked) if marked else plain_start(text)  # noqa: S704 (escaped by the formatter)


class _EscapingFormatter(Formatter):
    """Whoosh's highlights with every piece of document text escaped; matches in <mark>."""

    between = "…"

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return str(Markup("<mark>%s</mark>") % get_text(text, token, replace))

    def format_fragment(self, fragment: Any, replace: bool = False) -> str:
        out, index = [], fragment.startchar
        for token in fragment.matches:
            if token.startchar < index:
                continue
            out.append(str(escape(fragment.text[index : token.startchar])))
            out.append(self.format_token(fragment.text, token, replace))
            index = token.endchar
        out.append(str(escape(fragment.text[index : fragment.endchar])))
        return "".join(out)


def search_versions(
    session: Session,
    actor: Any,
    ix: Index,
    query: str,
    *,
    any_word: bool = False,
    limit: int = 50,
    marked: int = MARKED,
) -> list[Hit]:
    """Versions matching `query` (every word, or any with `any_word`; see `qms.search.query`)
    that the actor may see, best first."""
    require(actor, Permission.DOCUMENT_READ)
    query = query.strip()
    if not query:
        return []
    if len(query) > MAX_QUERY:
        raise ValidationFailed(str(_l("The search is too long.")), field="q")
    parsed = parse(query, any_word=any_word)
    allowed = index_filter(session, actor)
    if parsed is None or allowed is q.NullQuery:
        return []
    with ix.searcher() as searcher:
        # A timer thread, not SIGALRM: searches run in gunicorn and server threads too. Past
        # the limit the search stops with what it has (ranked among what it had seen).
        # The filter wraps the time limit, not the other way round: TimeLimitCollector feeds
        # its child match by match and would bypass a FilterCollector inside it.
        timed = TimeLimitCollector(
            searcher.collector(limit=CANDIDATES), timelimit=TIME_LIMIT_S, use_alarm=False
        )
        collector = timed if allowed is None else FilterCollector(timed, allowed)
        try:
            searcher.search_with_collector(parsed, collector)
        except TimeLimit:
            log.warning("search stopped at its time limit: %r", query)
        results = collector.results()
        found = [(int(hit["version_id"]), hit) for hit in results]
        terms = frozenset(text for field, text in parsed.all_terms() if field == "content")
        visible = _visible(session, actor, [version_id for version_id, _ in found])
        hits: list[Hit] = []
        for version_id, hit in found:
            if version_id not in visible:
                continue
            # Highlighting costs more than finding: only the first hits get their matches
            # marked here; `qms.search.results` marks those it shows.
            content = hit["content"]
            snippet = snippet_for(content, terms) if len(hits) < marked else plain_start(content)
            hits.append(
                Hit(
                    version_id=version_id,
                    document_id=int(hit["document_id"]),
                    code=hit["shown_code"],
                    title=hit["title"],
                    process=hit["process"],
                    number=int(hit["number"]),
                    state=hit["state"],
                    snippet=snippet,
                    content=content,
                    terms=terms,
                )
            )
            if len(hits) == limit:
                break
    return hits


def _visible(session: Session, actor: Any, version_ids: list[int]) -> set[int]:
    if not version_ids:
        return set()
    stmt = sa.select(DocumentVersion.id).where(
        DocumentVersion.id.in_(version_ids), version_visibility(actor, session)
    )
    return set(session.scalars(stmt))
