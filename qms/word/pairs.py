"""The kinds whose fields sit on the block rather than in rows: resources and requirements, a
label per row and its text (under a "Recurso | Descripción" header, as the export writes them,
or without one), or the labels as a header row over their texts; and the related documents, a
column of codes."""

from __future__ import annotations

import re

from qms.documents import iso9001
from qms.word.grids import Grid, fold
from qms.word.parsed import Block
from qms.word.vocabulary import columns_of, pair_headings, variants, vocabulary

PAIR_KINDS = ("resources", "requirements")
_CLAUSE = re.compile(r"^\s*(\d+(?:\.\d+)+)\b")
_BULLET = re.compile(r"^\s*(?:[*•·-]\s*|\d+[.)]\s+)")


def _items(text: str) -> list[str]:
    return [_BULLET.sub("", line).strip() for line in text.splitlines() if line.strip()]


def read_pairs(grid: Grid) -> Block | None:
    for kind in PAIR_KINDS:
        block = _labelled_rows(kind, grid) or _header_row(kind, grid)
        if block is not None:
            return block
    return _related(grid)


def _key(words: dict[str, str], cell: str) -> str | None:
    return next((words[v] for v in variants(cell) if v in words), None)


def _labelled_rows(kind: str, grid: Grid) -> Block | None:
    words = vocabulary(kind)
    rows = grid
    if rows and len(rows[0]) == 2 and _is_pair_header(kind, rows[0]):
        rows = rows[1:]
    if not rows or any(len(row) != 2 for row in rows):
        return None
    values: dict[str, list[str]] = {}
    for label, text in rows:
        key = _key(words, label)
        if key is None:
            return None
        values.setdefault(key, []).append(text)
    return _block(kind, {key: "\n".join(filter(None, texts)) for key, texts in values.items()})


def _is_pair_header(kind: str, row: list[str]) -> bool:
    return tuple(fold(cell) for cell in row) in pair_headings(kind)


def _header_row(kind: str, grid: Grid) -> Block | None:
    columns = columns_of(grid[0], vocabulary(kind))
    if not columns or len(grid) < 2:
        return None
    values = {key: "\n".join(row[c] for row in grid[1:] if row[c]) for c, key in columns.items()}
    return _block(kind, values)


def _block(kind: str, values: dict[str, str]) -> Block | None:
    if kind == "resources":
        return {"kind": "resources", "title": "", **values}
    iso = [_clause(line) for line in _items(values.get("iso", ""))]
    if any(clause is None for clause in iso):
        return None
    return {
        "kind": "requirements",
        "title": "",
        "iso": [clause for clause in iso if clause],
        "legal": _items(values.get("legal", "")),
        "internal": _items(values.get("internal", "")),
    }


def _clause(line: str) -> str | None:
    match = _CLAUSE.match(line)
    clause = match.group(1) if match else ""
    return clause if iso9001.is_clause(clause) else None


def _related(grid: Grid) -> Block | None:
    """One column headed Código / Code: the codes of related documents."""
    if any(len(row) != 1 for row in grid) or _key(vocabulary("related"), grid[0][0]) is None:
        return None
    codes = [line.strip().upper() for row in grid[1:] for line in row[0].splitlines()]
    return {"kind": "related", "title": "", "codes": [code for code in codes if code]}
