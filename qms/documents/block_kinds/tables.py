"""The free table kind's table view: its own columns, not one column per field."""

from __future__ import annotations

from typing import Any

Table = dict[str, Any]


def free_table(block: dict[str, Any]) -> Table:
    return {
        "title": block.get("title", ""),
        "columns": list(block.get("columns") or []),
        "rows": [list(row) for row in block.get("rows") or []],
    }
