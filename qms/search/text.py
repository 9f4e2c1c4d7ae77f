"""A version's searchable text: the same blocks the page and the PDF read, flattened."""

from __future__ import annotations

from typing import Any

from qms.documents.block_tables import as_table
from qms.documents.rendering import markdown_text


def block_text(block: dict[str, Any]) -> str:
    """A text block as a reader sees it (no Markdown source); every other block as its
    table's title, headers and cells."""
    if block.get("kind") == "text":
        return markdown_text(str(block.get("text") or ""))
    table = as_table(block)
    if table is None:
        return ""
    cells = [str(table.get("title") or ""), *map(str, table["columns"])]
    cells += [str(cell) for row in table["rows"] for cell in row]
    return "\n".join(cell for cell in cells if cell)


def content_text(blocks: list[dict[str, Any]]) -> str:
    return "\n\n".join(text for text in map(block_text, blocks) if text)
