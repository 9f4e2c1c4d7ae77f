"""The PostgreSQL backend: the entries in the `search_entries` table, searched by full text.

Spanish, accents and codes by the same rules as Whoosh, because the words are read by the same
analyzer: each entry's text is tokenised, lower-cased, accent-folded, stripped of Spanish stop
words and stemmed by `qms.search.analysis.ANALYZER` in Python, and the resulting lexemes are
stored with their positions as a `tsvector`; the parser (`qms.search.query.parse`) has already
analysed what was typed the same way, so a term of the query is a lexeme of the index. That is
PostgreSQL's "Spanish configuration with unaccent" in effect, without two stemmers that could
disagree (PostgreSQL's Snowball Spanish and Whoosh's differ on some words, and `unaccent` in an
index expression needs an immutable wrapper). The migration installs `unaccent` and `pg_trgm`;
pg_trgm indexes the folded code for lookups by fragment (`codes_containing`).

One `tsvector`, `terms`, under one GIN index, holds everything searched: the title (weight A),
process (B) and content (C) at separate positions, so that a term of one field is its lexeme with
that field's weight (`'x':C`), a word in any of the three is the bare lexeme, and a phrase is
`<->` between lexemes of one weight; and every other field as `field:value` lexemes without
positions (`kind:version`, `key:version:7`, `code:csc-ac`, `clauses:8.5.1`, `state:open`,
`people:luisa`, `type_name:instructiv`). A search and its visibility filter thus become one
tsquery, answered by one GIN scan, exact (no recheck of the rows) unless it holds a phrase or a
field's weight. Lexemes of words never hold `:` (the analyzer keeps letters, digits and dots), so
the two kinds cannot meet. A small second vector, `head`, ranks the matches: ts_rank on the
title (A) and the code prefixes (D), so a code and then a title rank first, without reading
each match's whole text (Whoosh ranks content by BM25 too; here content matches tie, by key).

The query tree (Term, And, Or, Phrase, NullQuery, as the parser and the visibility filter make
it) becomes that tsquery. It is written from the analysed terms only, each lexeme quoted and
escaped, and goes to the server as one bound parameter cast to `tsquery`: nothing typed reaches
the SQL text, and no typed character can change a tsquery's structure. The time limit is
`statement_timeout`, set for the search's transaction only; past it the search returns nothing
(and logs it), where Whoosh returns what it had found.

Limits of `tsvector`: positions above 16,383 count as 16,383 (a phrase far into a very long text
may be missed) and a lexeme over 2,046 bytes is not indexed (nobody types one).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from whoosh import query as q
from whoosh.analysis import Analyzer

from qms.search.analysis import ANALYZER, NAME_ANALYZER, fold
from qms.search.backends import STORED, UnsupportedQuery
from qms.search.backends.postgres_models import SearchEntry
from qms.search.index import entry_digest

log = logging.getLogger(__name__)

TABLE: sa.Table = SearchEntry.__table__  # type: ignore[assignment]
# Fields with positions in `terms`, in this order, and their weights.
WEIGHTS = {"title": "A", "process": "B", "content": "C"}
EVERY_WEIGHT = frozenset(WEIGHTS.values())
# Fields held as `field:value` lexemes: keyword fields (space-separated values), and `key`.
TAGS = ("key", "kind", "document", "code", "process_code", "type_key", "clauses", "year", "state")
LOWERCASED = frozenset({"code", "process_code", "type_key"})  # KEYWORD(lowercase=True)
# Text fields searched by term only (never by phrase), held as `field:term` lexemes.
NAMED = {"type_name": ANALYZER, "people": NAME_ANALYZER}
NOWHERE = "\ufffd"  # never a lexeme of the analyzer's, nor a field's
MAX_POSITION = 16383
MAX_LEXEME_BYTES = 2046
# ts_rank's weights, {D, C, B, A}: a code prefix (D in `head`) above a title word (A).
RANK_WEIGHTS = [1.0, 0.0, 0.0, 0.67]

_TERMS = sa.type_coerce(TABLE.c.terms, postgresql.TSVECTOR())
_HEAD = sa.type_coerce(TABLE.c.head, postgresql.TSVECTOR())
_COLUMNS = [TABLE.c[name] for name in STORED]
_RANK_WEIGHTS: sa.ColumnElement[Any] = sa.literal_column(
    "'{" + ",".join(map(str, RANK_WEIGHTS)) + "}'::real[]"
)

_UPSERT = sa.text(
    "INSERT INTO search_entries (key, kind, object_id, document_id, number, shown_code,"
    " code_folded, title, process, content, state, terms, head, digest)"
    " VALUES (:key, :kind, :object_id, :document_id, :number, :shown_code, :code_folded,"
    " :title, :process, :content, :state, CAST(:terms AS tsvector), CAST(:head AS tsvector),"
    " :digest)"
    " ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, object_id = excluded.object_id,"
    " document_id = excluded.document_id, number = excluded.number,"
    " shown_code = excluded.shown_code, code_folded = excluded.code_folded,"
    " title = excluded.title, process = excluded.process, content = excluded.content,"
    " state = excluded.state, terms = excluded.terms, head = excluded.head,"
    " digest = excluded.digest"
)


def _text(value: object) -> str:
    """Text PostgreSQL accepts: a NUL (which no text column holds) becomes U+FFFD."""
    return str(value or "").replace("\x00", "\ufffd")


def lexeme(term: str) -> str:
    """A lexeme quoted for a tsvector or tsquery literal. One that no vector can hold (empty,
    too long) becomes U+FFFD, which none holds either."""
    term = _text(term) if _fits(term) else NOWHERE
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _fits(term: str) -> bool:
    return 0 < len(term.encode("utf-8")) <= MAX_LEXEME_BYTES


def vector(
    parts: Sequence[tuple[str, str]], tags: Iterable[str] = (), analyzer: Analyzer = ANALYZER
) -> str:
    """The tsvector literal of (text, weight) parts, each part's terms as `analyzer` reads
    them, numbered on from the last part's; and of `tags`, lexemes without positions."""
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in parts:
        for token in analyzer(text):
            position += 1
            if _fits(token.text):
                spots = positions.setdefault(token.text, [])
                if len(spots) < 256:  # tsvector keeps at most 256 positions of a lexeme
                    spots.append(f"{min(position, MAX_POSITION)}{weight}")
    words = [f"{lexeme(term)}:{','.join(spots)}" for term, spots in positions.items()]
    return " ".join(words + [lexeme(tag) for tag in dict.fromkeys(tags) if _fits(tag)])


def _tag(field: str, value: str) -> str:
    return f"{field}:{value.lower() if field in LOWERCASED else value}"


def row(fields: dict[str, Any]) -> dict[str, Any]:
    """The table row of one index entry (`qms.search.sources.base.entry`)."""
    values = {name: value for name, value in fields.items() if name != "digest"}
    tags = [_tag("key", _text(values["key"]))]
    for field in TAGS[1:]:
        tags.extend(_tag(field, word) for word in _text(values.get(field)).split())
    for field, analyzer in NAMED.items():
        tags.extend(f"{field}:{token.text}" for token in analyzer(_text(values.get(field))))
    code = _text(values.get("shown_code"))
    codes = [_tag("code", word) for word in _text(values.get("code")).split()]
    return {
        "key": _text(values["key"]),
        "kind": _text(values["kind"]),
        "object_id": int(values["object_id"]),
        "document_id": int(values.get("document_id") or 0),
        "number": int(values.get("number") or 0),
        "shown_code": code,
        "code_folded": fold(code),
        "title": _text(values.get("title")),
        "process": _text(values.get("process")),
        "content": _text(values.get("content")),
        "state": _text(values.get("state")),
        "terms": vector([(_text(values.get(field)), w) for field, w in WEIGHTS.items()], tags),
        "head": vector([(_text(values.get("title")), "A")], codes),
        "digest": entry_digest(values),
    }


class _Translation:
    """A whoosh query tree as a tsquery literal on `terms`; None when it matches nothing. The
    words and codes it asks for are kept, to rank the matches by."""

    def __init__(self) -> None:
        self.ranking: list[str] = []  # lexemes of `head` asked for

    def tsquery(self, node: q.Query) -> str | None:
        if _is_null(node):
            return None
        if isinstance(node, q.Term):
            return self._term(node.fieldname, str(node.text), weighted=True)
        if isinstance(node, q.Phrase):
            return self._phrase(node)
        if isinstance(node, q.And):
            if not node.subqueries:
                raise UnsupportedQuery("an empty And")
            parts = [self.tsquery(child) for child in node.subqueries]
            if any(part is None for part in parts):
                return None
            return _join(" & ", [part for part in parts if part])
        if isinstance(node, q.Or):
            if node.subqueries and all(isinstance(c, q.Term) for c in node.subqueries):
                return self._any_field(node.subqueries)
            found = [part for part in map(self.tsquery, node.subqueries) if part is not None]
            return _join(" | ", found) if found else None
        raise UnsupportedQuery(f"no tsquery for {type(node).__name__}")

    def _term(self, field: str, text: str, *, weighted: bool) -> str:
        if field in WEIGHTS:
            # A word's lexeme never holds ":", which would name a field's lexeme instead.
            word = text.replace(":", NOWHERE)
            if field == "title":
                self.ranking.append(word)
            return lexeme(word) + (f":{WEIGHTS[field]}" if weighted else "")
        if field in TAGS:
            tag = _tag(field, text)
            if field == "code":
                self.ranking.append(tag)
            return lexeme(tag)
        if field in NAMED:
            return lexeme(f"{field}:{text}")
        raise UnsupportedQuery(f"no tsquery for a term on {field!r}")

    def _phrase(self, node: q.Phrase) -> str | None:
        if node.fieldname not in WEIGHTS or node.slop != 1:
            raise UnsupportedQuery(f"no tsquery for a phrase on {node.fieldname!r}")
        if not node.words:
            return None
        words = [self._term(node.fieldname, str(word), weighted=True) for word in node.words]
        return _join(" <-> ", words)

    def _any_field(self, terms: list[q.Term]) -> str:
        """An Or of terms; the same word in title, process and content is the bare lexeme."""
        weights: dict[str, set[str]] = {}
        others: list[str] = []
        for term in terms:
            if term.fieldname in WEIGHTS:
                word = str(term.text)
                weights.setdefault(word, set()).add(WEIGHTS[term.fieldname])
            else:
                others.append(self._term(term.fieldname, str(term.text), weighted=True))
        parts: list[str] = []
        for word, found in weights.items():
            lexemes = self._term("title", word, weighted=False)
            if "A" not in found:
                self.ranking.pop()  # a word not asked of the title ranks nothing
            parts.append(
                lexemes if found >= EVERY_WEIGHT else f"{lexemes}:{''.join(sorted(found))}"
            )
        return _join(" | ", parts + others)


def _join(operator: str, parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + operator.join(parts) + ")"


def _is_null(node: q.Query) -> bool:
    return node is q.NullQuery or isinstance(node, q.NullQuery.__class__)


def _cast_tsquery(literal: str) -> sa.ColumnElement[Any]:
    return sa.cast(sa.bindparam(None, literal, type_=sa.Text()), postgresql.TSQUERY())


class PostgresBackend:
    """A `SearchBackend` over the `search_entries` table of a PostgreSQL database."""

    def __init__(self, engine: Engine, batch: int = 500) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the PostgreSQL search backend needs a PostgreSQL database")
        self.engine = engine
        self.batch = batch

    def update(self, entries: Iterable[dict[str, Any]]) -> None:
        rows = [row(fields) for fields in entries]
        with self.engine.begin() as connection:
            for start in range(0, len(rows), self.batch):
                connection.execute(_UPSERT, rows[start : start + self.batch])

    def replace_all(self, batches: Iterable[Iterable[dict[str, Any]]]) -> None:
        """Every entry replaced by those of `batches`, in one transaction: searches read the old
        rows until it commits (MVCC), the new ones after it; a failure leaves the old ones.
        DELETE, not TRUNCATE, whose exclusive lock would hold every search up meanwhile."""
        with self.engine.begin() as connection:
            connection.execute(sa.delete(TABLE))
            for entries in batches:
                rows = [row(fields) for fields in entries]
                for start in range(0, len(rows), self.batch):
                    connection.execute(_UPSERT, rows[start : start + self.batch])

    def remove(self, keys: Iterable[str]) -> None:
        wanted = [_text(key) for key in keys]
        if wanted:
            with self.engine.begin() as connection:
                connection.execute(sa.delete(TABLE).where(TABLE.c.key.in_(wanted)))

    def keys(self) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.scalars(sa.select(TABLE.c.key)))

    def stored(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = [_text(key) for key in keys]
        if not wanted:
            return {}
        with self.engine.connect() as connection:
            found = connection.execute(sa.select(*_COLUMNS).where(TABLE.c.key.in_(wanted)))
            return {hit.key: dict(hit._mapping) for hit in found}

    @staticmethod
    def _translate(query: q.Query, filter: q.Query | None) -> tuple[str | None, list[str]]:
        """The tsquery of `query` and `filter` (None: nothing matches), and the ranking's."""
        translation = _Translation()
        literal = translation.tsquery(query)
        if literal is not None and filter is not None:
            allowed = _Translation().tsquery(filter)
            literal = None if allowed is None else f"({literal}) & ({allowed})"
        return literal, list(dict.fromkeys(translation.ranking))

    def search(
        self,
        query: q.Query,
        filter: q.Query | None = None,
        *,
        limit: int = 500,
        time_limit_s: float = 2.0,
    ) -> list[dict[str, Any]]:
        literal, ranking = self._translate(query, filter)
        if literal is None:
            return []
        # Best first: by ts_rank on `head` (ties by key). A match scores above 0 exactly when
        # `head` holds a lexeme asked for, so the ranked ones are read first (few: a title or a
        # code), then the rest, all tied at 0, in no order: the server stops at the limit
        # instead of reading (and rechecking) every match of a common word or phrase.
        match = _TERMS.bool_op("@@")(_cast_tsquery(literal))
        ranked = _cast_tsquery(" | ".join(map(lexeme, ranking))) if ranking else None
        rest = sa.select(*_COLUMNS).where(match)
        try:
            with self.engine.begin() as connection:
                _time_limit(connection, time_limit_s)
                hits: list[dict[str, Any]] = []
                if ranked is not None:
                    on_head = _HEAD.bool_op("@@")(ranked)
                    score = sa.func.ts_rank(_RANK_WEIGHTS, _HEAD, ranked)
                    first = (
                        sa.select(*_COLUMNS)
                        .where(match, on_head)
                        .order_by(score.desc(), TABLE.c.key)
                        .limit(limit)
                    )
                    hits = [dict(hit._mapping) for hit in connection.execute(first)]
                    rest = rest.where(sa.not_(on_head))
                if len(hits) < limit:
                    rest = rest.limit(limit - len(hits))
                    hits.extend(dict(hit._mapping) for hit in connection.execute(rest))
                return hits
        except sa.exc.OperationalError as error:
            if getattr(error.orig, "sqlstate", None) != "57014":  # query_canceled
                raise
            log.warning("search stopped at its time limit: %r", query)
            return []

    def count(self, query: q.Query, filter: q.Query | None = None) -> int:
        literal, _ = self._translate(query, filter)
        if literal is None:
            return 0
        statement = sa.select(sa.func.count()).where(_TERMS.bool_op("@@")(_cast_tsquery(literal)))
        with self.engine.connect() as connection:
            return int(connection.scalar(statement) or 0)

    def codes_containing(self, fragment: str, limit: int = 20) -> list[str]:
        """Codes holding `fragment` anywhere (`ac-cr`), in any case: the trigram index's
        question, for suggestions. LIKE's wildcards in `fragment` are taken literally."""
        folded = fold(_text(fragment))
        if len(folded) < 3:
            return []
        pattern = "%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = (
            sa.select(TABLE.c.shown_code)
            .where(TABLE.c.code_folded.like(pattern, escape="\\"))
            .distinct()
            .order_by(TABLE.c.shown_code)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return list(connection.scalars(statement))


def _time_limit(connection: sa.Connection, seconds: float) -> None:
    """`statement_timeout` for this transaction only (SET LOCAL takes no parameters)."""
    milliseconds = str(max(1, int(seconds * 1000)))
    connection.execute(
        sa.text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": milliseconds}
    )
