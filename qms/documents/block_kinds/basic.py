"""The cleaners of the two free kinds: a Markdown text and a table of columns and rows."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from qms.documents.block_fields import MAX_COLUMNS, MAX_ROWS, MAX_TEXT, cell, fail


def clean_text(block: dict[str, Any]) -> dict[str, Any]:
    # Imported here: rendering draws the structured kinds, which read these declarations.
    from qms.documents import rendering

    text = block.get("text", "")
    if not isinstance(text, str):
        fail(_l("A text block holds text."))
    if len(text) > MAX_TEXT:
        fail(_l("A text block is too long."))
    if rendering.markdown_too_heavy(text):
        fail(
            _l(
                "A text block may hold at most %(n)d brackets ([); split it into several blocks.",
                n=rendering.MAX_BRACKETS,
            )
        )
    return {"kind": "text", "text": text.replace("\r\n", "\n")}


def clean_table(block: dict[str, Any]) -> dict[str, Any]:
    columns = block.get("columns", [])
    rows = block.get("rows", [])
    if not isinstance(columns, list) or not isinstance(rows, list):
        fail(_l("A table has a list of columns and a list of rows."))
    if not columns or len(columns) > MAX_COLUMNS:
        fail(_l("A table has between 1 and %(n)d columns.", n=MAX_COLUMNS))
    if len(rows) > MAX_ROWS:
        fail(_l("A table has at most %(n)d rows.", n=MAX_ROWS))
    clean_rows = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            fail(_l("Every row of a table has one cell per column."))
        clean_rows.append([cell(value) for value in row])
    return {
        "kind": "table",
        "title": cell(block.get("title", "")),
        "columns": [cell(c) for c in columns],
        "rows": clean_rows,
    }
