"""What people type, read as a search: every word required (or any word, on request),
"phrases", codes whole or by family (`csc-ac` finds CSC-AC-…, in any case), clause numbers
whole (`8.5.1`), and field filters: `clase:` (documento, nc, pqrs, auditoria, hallazgo,
solicitud: each kind's aliases), `proceso:`, `tipo:`, `estado:`, `cláusula:`, `código:`,
`persona:`, `año:` (and their English names).

Nothing typed is handed to Whoosh's own query syntax: there are no wildcards, ranges or fuzzy
terms, so no query expands to the whole vocabulary, and a query holds at most MAX_PARTS parts.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from whoosh import query as q
from whoosh.analysis import Analyzer

from qms.core.errors import ValidationFailed
from qms.search.analysis import ANALYZER, NAME_ANALYZER, fold
from qms.search.sources import SOURCES
from qms.search.sources.base import OPEN

MAX_PARTS = 12

# Field names as typed (accents and case folded) → the filter they select.
FILTERS = {
    "clase": "kind",
    "kind": "kind",
    "proceso": "process",
    "process": "process",
    "tipo": "type",
    "type": "type",
    "estado": "state",
    "state": "state",
    "clausula": "clause",
    "clause": "clause",
    "codigo": "code",
    "code": "code",
    "persona": "person",
    "person": "person",
    "ano": "year",
    "year": "year",
}
# States as people say them; the stored values are the lifecycle's.
STATES = {
    "vigente": "effective",
    "borrador": "draft",
    "revision": "in_review",
    "aprobacion": "in_approval",
    "aprobado": "approved",
    "aprobada": "approved",
    "reemplazado": "superseded",
    "reemplazada": "superseded",
    "obsoleto": "obsolete",
    "obsoleta": "obsolete",
    "descartado": "discarded",
    "descartada": "discarded",
    # Records (nonconformities, PQRS, audits, change requests).
    "abierto": OPEN,
    "abierta": OPEN,
    "abiertos": OPEN,
    "abiertas": OPEN,
    "cerrado": "closed",
    "cerrada": "closed",
    "cerrados": "closed",
    "cerradas": "closed",
    "reportada": "reported",
    "aceptada": "accepted",
    "contenida": "contained",
    "analizada": "analysed",
    "en curso": "in_progress",
    "recibida": "received",
    "direccionada": "routed",
    "respondida": "answered",
    "planificada": "planned",
    "cancelada": "cancelled",
    "rechazada": "rejected",
}

_PART = re.compile(
    r'(?P<field>[^\W\d_]+):(?:"(?P<fphrase>[^"]*)"?|(?P<fvalue>\S+))'
    r'|"(?P<phrase>[^"]*)"?'
    r"|(?P<word>\S+)"
)
_CLAUSE = re.compile(r"^\d+(?:\.\d+)+$")
_CODE = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)+$")
_EDGES = "\"'.,;:()[]{}¿?¡!«»"


def _terms(text: str, analyzer: Analyzer = ANALYZER) -> list[str]:
    """`text` as the index holds it (every text field but `people` uses ANALYZER)."""
    return [token.text for token in analyzer(text)]


def _words(text: str) -> q.Query | None:
    """Plain words: each analysed term in a title, the content, the process or the people."""
    parts: list[q.Query] = []
    for term in _terms(text):
        parts.append(
            q.Or(
                [
                    q.Term("title", term),
                    q.Term("content", term),
                    q.Term("process", term),
                ]
            )
        )
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else q.And(parts)


def _phrase(field: str, terms: list[str]) -> q.Query:
    return q.Term(field, terms[0]) if len(terms) == 1 else q.Phrase(field, terms)


def _word(raw: str) -> q.Query | None:
    word = raw.strip(_EDGES)
    folded = fold(word)
    if not folded:
        return None
    if _CLAUSE.match(folded):
        return q.Or([q.Term("clauses", folded), _phrase("content", _terms(word))])
    if _CODE.match(folded):
        # A code, or the family it starts: the document's own code, or the code cited in text.
        cited = _terms(word)
        options: list[q.Query] = [q.Term("code", folded)]
        if cited:
            options.append(_phrase("content", cited))
        return q.Or(options)
    words = _words(word)
    if words is None:
        return None  # a stop word ("de", "la"): required of nothing
    return q.Or([q.Term("code", folded), words])


def _quoted(text: str) -> q.Query | None:
    terms = _terms(text)
    if len(terms) < 2:
        return _word(text) if terms else None
    return q.Or([q.Phrase("content", terms), q.Phrase("title", terms)])


def _filter(name: str, value: str) -> q.Query | None:
    value = value.strip()
    folded = fold(value)
    if name == "kind":
        kinds = [source.kind for source in SOURCES if folded in source.aliases]
        return q.Term("kind", kinds[0] if kinds else folded)
    if name == "code":
        return q.Term("code", folded)
    if name == "state":
        return q.Term("state", STATES.get(folded, folded.replace(" ", "_")))
    if name == "clause":
        return q.Term("clauses", folded)
    if name == "year":
        return q.Term("year", folded)
    if name == "process":
        by_name = _all("process", _terms(value))
        options = [q.Term("process_code", folded)] + ([by_name] if by_name else [])
        return q.Or(options)
    if name == "type":
        by_name = _all("type_name", _terms(value))
        options = [q.Term("type_key", folded)] + ([by_name] if by_name else [])
        return q.Or(options)
    # person
    return _all("people", _terms(value, NAME_ANALYZER))


def _all(field: str, terms: list[str]) -> q.Query | None:
    if not terms:
        return None
    return q.And([q.Term(field, t) for t in terms]) if len(terms) > 1 else q.Term(field, terms[0])


def parse(text: str, *, any_word: bool = False) -> q.Query | None:
    """The query for `text`: its parts all required (or any of them), its filters always;
    None when there is nothing to look for (only stop words)."""
    parts: list[q.Query] = []
    filters: list[q.Query] = []
    matches = list(_PART.finditer(text))
    if len(matches) > MAX_PARTS:
        raise ValidationFailed(str(_l("Search with at most %(n)d words.", n=MAX_PARTS)), field="q")
    for match in matches:
        field = match.group("field")
        if field is not None and fold(field) in FILTERS:
            found = _filter(
                FILTERS[fold(field)], match.group("fphrase") or match.group("fvalue") or ""
            )
            if found is not None:
                filters.append(found)
            continue
        if field is not None:  # "a:b" that names no filter is read as words
            found = _word(match.group(0))
        elif match.group("phrase") is not None:
            found = _quoted(match.group("phrase"))
        else:
            found = _word(match.group("word"))
        if found is not None:
            parts.append(found)
    if not parts and not filters:
        return None
    words: list[q.Query] = []
    if parts:
        words = [parts[0] if len(parts) == 1 else (q.Or(parts) if any_word else q.And(parts))]
    combined = words + filters
    return combined[0] if len(combined) == 1 else q.And(combined)
