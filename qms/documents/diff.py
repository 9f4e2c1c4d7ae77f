"""A block-aware redline of two versions' content: plain data for a template to render.

Identical blocks anchor the comparison; between anchors, blocks of the same kind are paired in
order by similarity, so an inserted block shows as added instead of shifting every change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, TypeVar

from qms.documents.block_tables import as_table
from qms.documents.rendering import markdown_text

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
EQUAL, INSERT, DELETE = "equal", "insert", "delete"

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]+")
# Above this many word tokens a similarity estimate is used: ratio() is quadratic.
_EXACT_LIMIT = 4_000
# Beyond this many candidate pairs in one gap, pair in order instead of searching.
_ALIGN_LIMIT = 10_000

T = TypeVar("T")


@dataclass(frozen=True)
class Segment:
    op: str  # equal | insert | delete
    text: str


@dataclass(frozen=True)
class Cell:
    status: str  # same | changed | added | removed
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Column:
    status: str
    old: str | None
    new: str | None
    old_index: int | None
    new_index: int | None


@dataclass(frozen=True)
class Row:
    status: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class TableDiff:
    title: tuple[Segment, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class BlockDiff:
    status: str
    kind: str
    text: tuple[Segment, ...] = ()  # text blocks
    table: TableDiff | None = None  # table blocks
    old: dict[str, Any] | None = None  # kinds compared as a whole
    new: dict[str, Any] | None = None


@dataclass(frozen=True)
class Comparison:
    blocks: tuple[BlockDiff, ...]

    @property
    def has_changes(self) -> bool:
        return any(block.status != SAME for block in self.blocks)

    def count(self, status: str) -> int:
        return sum(1 for block in self.blocks if block.status == status)


# --- words -------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _ratio(a: Sequence[Any], b: Sequence[Any]) -> float:
    if not a and not b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if len(a) + len(b) > _EXACT_LIMIT:
        return matcher.quick_ratio()
    return matcher.ratio()


def diff_words(old: str, new: str) -> tuple[Segment, ...]:
    """Word-level redline; whitespace between two changes joins them, for a readable result."""
    a, b = _tokens(old), _tokens(new)
    raw: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            raw.append((EQUAL, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            raw.append((DELETE, "".join(a[i1:i2])))
        if j2 > j1:
            raw.append((INSERT, "".join(b[j1:j2])))
    # An unchanged space sandwiched between changes belongs to both sides of the change.
    for index in range(1, len(raw) - 1):
        op, text = raw[index]
        if op == EQUAL and not text.strip() and raw[index - 1][0] != EQUAL != raw[index + 1][0]:
            raw[index] = ("both", text)
    segments: list[Segment] = []
    deleted, inserted = "", ""
    for op, text in [*raw, (EQUAL, "")]:
        if op in (DELETE, "both"):
            deleted += text
        if op in (INSERT, "both"):
            inserted += text
        if op == EQUAL:
            segments += [Segment(DELETE, deleted)] if deleted else []
            segments += [Segment(INSERT, inserted)] if inserted else []
            segments += [Segment(EQUAL, text)] if text else []
            deleted, inserted = "", ""
    return tuple(segments)


# --- pairing -----------------------------------------------------------------------------


def _align(
    old: Sequence[T], new: Sequence[T], similarity: Callable[[T, T], float | None]
) -> list[tuple[int | None, int | None]]:
    """Pairs in order that maximise similarity; None from `similarity` means never pair."""
    n, m = len(old), len(new)
    if n * m > _ALIGN_LIMIT:
        pairs: list[tuple[int | None, int | None]] = []
        for k in range(max(n, m)):
            i, j = (k if k < n else None), (k if k < m else None)
            if i is not None and j is not None and similarity(old[i], new[j]) is None:
                pairs += [(i, None), (None, j)]
            else:
                pairs.append((i, j))
        return pairs
    # Any compatible pair scores above leaving both unpaired: position and kind come first.
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    pair_score: dict[tuple[int, int], float] = {}
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            sim = similarity(old[i], new[j])
            if sim is not None:
                pair_score[i, j] = 1.0 + sim
                best = max(best, pair_score[i, j] + score[i + 1][j + 1])
            score[i][j] = best
    result: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        if (i, j) in pair_score and score[i][j] == pair_score[i, j] + score[i + 1][j + 1]:
            result.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            result.append((i, None))
            i += 1
        else:
            result.append((None, j))
            j += 1
    result += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return result


def _match(
    old: Sequence[T],
    new: Sequence[T],
    key: Callable[[T], Any],
    similarity: Callable[[T, T], float | None],
) -> list[tuple[int | None, int | None]]:
    """Equal keys anchor; the gaps between anchors are aligned by similarity."""
    matcher = SequenceMatcher(None, [key(x) for x in old], [key(x) for x in new], autojunk=False)
    pairs: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        for i, j in _align(old[i1:i2], new[j1:j2], similarity):
            pairs.append((None if i is None else i1 + i, None if j is None else j1 + j))
    return pairs


# --- tables ------------------------------------------------------------------------------


def _columns(old: list[str], new: list[str]) -> list[Column]:
    columns = []
    for i, j in _match(old, new, lambda c: c, lambda a, b: _ratio(a, b)):
        old_name = old[i] if i is not None else None
        new_name = new[j] if j is not None else None
        if i is None:
            status = ADDED
        elif j is None:
            status = REMOVED
        else:
            status = SAME if old_name == new_name else CHANGED
        columns.append(Column(status, old_name, new_name, i, j))
    return columns


def _cell(column: Column, old_row: list[str] | None, new_row: list[str] | None) -> Cell:
    old = (
        old_row[column.old_index] if old_row is not None and column.old_index is not None else None
    )
    new = (
        new_row[column.new_index] if new_row is not None and column.new_index is not None else None
    )
    if old is None:
        return Cell(ADDED if new is not None else SAME, None, new)
    if new is None:
        return Cell(REMOVED, old, None)
    return Cell(SAME if old == new else CHANGED, old, new)


def diff_table(old: dict[str, Any], new: dict[str, Any]) -> TableDiff:
    """Columns matched by header, rows by their cells in the shared columns; cells old → new."""
    columns = _columns(list(old.get("columns") or []), list(new.get("columns") or []))
    shared = [c for c in columns if c.old_index is not None and c.new_index is not None]
    old_rows, new_rows = list(old.get("rows") or []), list(new.get("rows") or [])

    def old_key(row: list[str]) -> tuple[str, ...]:
        return tuple(row[c.old_index] for c in shared if c.old_index is not None)

    def new_key(row: list[str]) -> tuple[str, ...]:
        return tuple(row[c.new_index] for c in shared if c.new_index is not None)

    keyed_old = [(old_key(r), r) for r in old_rows]
    keyed_new = [(new_key(r), r) for r in new_rows]
    rows = []
    for i, j in _match(keyed_old, keyed_new, lambda kr: kr[0], lambda a, b: _ratio(a[0], b[0])):
        old_row = old_rows[i] if i is not None else None
        new_row = new_rows[j] if j is not None else None
        if old_row is None:
            cells = tuple(Cell(ADDED, None, _cell(c, None, new_row).new) for c in columns)
            rows.append(Row(ADDED, cells))
            continue
        if new_row is None:
            cells = tuple(Cell(REMOVED, _cell(c, old_row, None).old, None) for c in columns)
            rows.append(Row(REMOVED, cells))
            continue
        cells = tuple(_cell(c, old_row, new_row) for c in columns)
        changed = any(cell.status != SAME for cell in cells)
        rows.append(Row(CHANGED if changed else SAME, cells))
    title = diff_words(str(old.get("title") or ""), str(new.get("title") or ""))
    return TableDiff(title=title, columns=tuple(columns), rows=tuple(rows))


# --- blocks ------------------------------------------------------------------------------


def _shown(block: dict[str, Any]) -> str:
    """A text block's words as the page shows them: the comparison is of text, not Markdown."""
    return markdown_text(str(block.get("text") or ""))


def _signature(block: dict[str, Any]) -> str:
    return json.dumps(block, sort_keys=True, ensure_ascii=False)


def _flat(block: dict[str, Any]) -> list[str]:
    if block.get("kind") == "text":
        return _tokens(_shown(block))
    table = as_table(block)
    if table is not None:
        cells = [str(table["title"] or ""), *map(str, table["columns"])]
        return cells + [str(cell) for row in table["rows"] for cell in row]
    return [_signature(block)]


def _similarity(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    if a.get("kind") != b.get("kind"):
        return None
    return _ratio(_flat(a), _flat(b))


def _block(old: dict[str, Any] | None, new: dict[str, Any] | None) -> BlockDiff:
    if old is None or new is None:
        block = new if old is None else old
        assert block is not None
        status = ADDED if old is None else REMOVED
        kind = str(block.get("kind"))
        if kind == "text":
            text = _shown(block)
            op = INSERT if old is None else DELETE
            return BlockDiff(status, kind, text=(Segment(op, text),) if text else ())
        shown = as_table(block)
        if shown is not None:
            empty: dict[str, Any] = {"columns": [], "rows": []}
            table = diff_table(empty, shown) if old is None else diff_table(shown, empty)
            return BlockDiff(status, kind, table=table)
        return BlockDiff(status, kind, old=old, new=new)
    kind = str(new.get("kind"))
    status = SAME if _signature(old) == _signature(new) else CHANGED
    if kind == "text":
        return BlockDiff(status, kind, text=diff_words(_shown(old), _shown(new)))
    old_table, new_table = as_table(old), as_table(new)
    if old_table is not None and new_table is not None:
        # Structured blocks compare as the tables they read as: a changed cell, not a JSON blob.
        return BlockDiff(status, kind, table=diff_table(old_table, new_table))
    return BlockDiff(status, kind, old=old, new=new)


def compare_content(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Comparison:
    """The redline of two versions' blocks, in the order of the newer one."""
    pairs = _match(old, new, _signature, _similarity)
    return Comparison(
        tuple(
            _block(old[i] if i is not None else None, new[j] if j is not None else None)
            for i, j in pairs
        )
    )
