"""A table no block kind claims, kept as it is: a free table of columns and rows, cut into
several blocks where it passes a table's limits."""

from __future__ import annotations

from qms.documents.block_fields import MAX_CELL, MAX_COLUMNS, MAX_ROWS
from qms.word import notes
from qms.word.grids import Grid, squeeze
from qms.word.parsed import Block, Parsed


def _bounded(grid: Grid, parsed: Parsed) -> Grid:
    cut = any(len(cell) > MAX_CELL for row in grid for cell in row)
    if cut:
        note = str(notes.CUT % {"n": MAX_CELL})
        if note not in parsed.notes:
            parsed.notes.append(note)
    return [[cell[:MAX_CELL] for cell in row] for row in grid]


def free_tables(grid: Grid, title: str, parsed: Parsed) -> list[Block]:
    """The first row is the header (Word marks none reliably); each part repeats it."""
    grid = _bounded(squeeze(grid), parsed)
    if not grid:
        return []
    header, rows = grid[0], grid[1:]
    blocks = []
    for first in range(0, len(header), MAX_COLUMNS):
        columns = slice(first, first + MAX_COLUMNS)
        for start in range(0, max(len(rows), 1), MAX_ROWS):
            blocks.append(
                {
                    "kind": "table",
                    "title": title,
                    "columns": header[columns],
                    "rows": [row[columns] for row in rows[start : start + MAX_ROWS]],
                }
            )
    return blocks
