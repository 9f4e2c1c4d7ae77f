"""Searching the index: the search backend (`qms.search.backend_of`) finds candidates of every
kind, the database says which of them the reader may see (each kind's own visibility
predicate, through its source)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from whoosh import query as q
from whoosh.highlight import ContextFragmenter, Formatter, get_text, highlight

from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, require
from qms.search.analysis import ANALYZER, fold_keep_length
from qms.search.backends import SearchBackend
from qms.search.query import parse
from qms.search.sources import BY_KIND, Shown
from qms.search.visibility import index_filter

MAX_QUERY = 200
CANDIDATES = 500
TIME_LIMIT_S = 2.0  # a search never holds a worker longer than this
MARKED = 20  # hits whose snippet marks the matches (the first page's)


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    shown: Shown  # as the database has it, under the reader's visibility
    document_id: int  # versions only
    code: str
    title: str
    process: str
    number: int
    state: str
    snippet: Markup
    content: str  # the indexed text, to mark later
    terms: frozenset[str]  # the query's content terms

    @property
    def version_id(self) -> int:
        return self.object_id


def plain_start(text: str) -> Markup:
    return escape(text[:200])


# Highlighting analyses every word it is given: it is given the stretch around the first place
# a term could match, not a whole document.
WINDOW_BEFORE, WINDOW_AFTER = 300, 900


def _window(text: str, terms: frozenset[str]) -> str:
    if len(text) <= WINDOW_BEFORE + WINDOW_AFTER:
        return text
    folded = fold_keep_length(text)
    found = [at for term in terms if (at := folded.find(term)) >= 0]
    if not found:
        return text[: WINDOW_BEFORE + WINDOW_AFTER]
    start = max(0, min(found) - WINDOW_BEFORE)
    if start:  # from a word's start, not mid-word
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < min(found) else start
    return text[start : min(found) + WINDOW_AFTER]


def snippet_for(text: str, terms: frozenset[str]) -> Markup:
    """The passages of `text` where `terms` match, escaped, the matches in <mark>."""
    text = _window(text, terms)
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


def search_entries(
    session: Session,
    actor: Any,
    backend: SearchBackend,
    query: str,
    *,
    any_word: bool = False,
    limit: int = 50,
    marked: int = MARKED,
) -> list[Hit]:
    """Entries matching `query` (every word, or any with `any_word`; see `qms.search.query`)
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
    # Past the time limit the search stops with what it has (Whoosh: ranked among what it had
    # seen) or nothing (PostgreSQL); it never fails, nor holds a worker longer.
    found = backend.search(parsed, allowed, limit=CANDIDATES, time_limit_s=TIME_LIMIT_S)
    terms = frozenset(text for field, text in parsed.all_terms() if field == "content")
    shown = _shown(session, actor, found)
    hits: list[Hit] = []
    for stored in found:
        seen = shown.get((stored["kind"], int(stored["object_id"])))
        if seen is None:
            continue
        # Highlighting costs more than finding: only the first hits get their matches
        # marked here; `qms.search.results` marks those it shows.
        content = stored["content"]
        snippet = snippet_for(content, terms) if len(hits) < marked else plain_start(content)
        hits.append(
            Hit(
                kind=seen.kind,
                object_id=seen.object_id,
                shown=seen,
                document_id=int(stored["document_id"]),
                code=stored["shown_code"],
                title=stored["title"],
                process=stored["process"],
                number=int(stored["number"]),
                state=stored["state"].split()[0],
                snippet=snippet,
                content=content,
                terms=terms,
            )
        )
        if len(hits) == limit:
            break
    return hits


def _shown(
    session: Session, actor: Any, found: list[dict[str, Any]]
) -> dict[tuple[str, int], Shown]:
    """The candidates the actor may see, as each kind's source reads them from the database."""
    by_kind: dict[str, list[int]] = {}
    for stored in found:
        by_kind.setdefault(stored["kind"], []).append(int(stored["object_id"]))
    shown: dict[tuple[str, int], Shown] = {}
    for kind, ids in by_kind.items():
        source = BY_KIND.get(kind)
        if source is None:
            continue  # written by a release that had this kind; a reconcile removes it
        for object_id, seen in source.shown(session, actor, ids).items():
            shown[(kind, object_id)] = seen
    return shown
