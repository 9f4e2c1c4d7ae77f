"""A version's searchable text: the same blocks the page and the PDF read, flattened."""

from __future__ import annotations

from typing import Any

from qms.documents import block_kinds


def block_text(block: dict[str, Any]) -> str:
    """A text block as a reader sees it (no Markdown source); every other block as its
    table's title, headers and cells (as its kind declares them)."""
    return block_kinds.block_text(block)


def content_text(blocks: list[dict[str, Any]]) -> str:
    return "\n\n".join(text for text in map(block_text, blocks) if text)
