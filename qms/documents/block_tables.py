"""Every block but text seen as a plain table of text: what the redline compares row by row
and what a search index reads. Headers are in the reader's language; values are as stored.
The tables are read off the kinds' declarations (qms.documents.block_kinds)."""

from __future__ import annotations

from typing import Any

from qms.documents.block_kinds import Table, kind_of


def as_table(block: dict[str, Any]) -> Table | None:
    """{title, columns, rows} of a structured block (or a table block); None for text."""
    declared = kind_of(block.get("kind"))
    if declared is None or declared.prose:
        return None
    table = declared.table(block)
    table["title"] = block.get("title", "")
    table["rows"] = [[str(value or "") for value in row] for row in table["rows"]]
    return table
