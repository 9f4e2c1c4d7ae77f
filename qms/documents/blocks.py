"""Content blocks of a version: validation per kind, defaults, and the content hash.

The block model is open: a kind is a validator in BLOCK_KINDS; later kinds (sipoc, steps,
indicators...) register here without touching stored versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed

MAX_TEXT = 200_000
MAX_CELL = 5_000
MAX_COLUMNS = 30
MAX_ROWS = 1_000
MAX_BLOCKS = 300


def _fail(message: Any) -> None:
    raise ValidationFailed(str(message), field="content")


def _text(block: dict[str, Any]) -> dict[str, Any]:
    text = block.get("text", "")
    if not isinstance(text, str):
        _fail(_l("A text block holds text."))
    if len(text) > MAX_TEXT:
        _fail(_l("A text block is too long."))
    return {"kind": "text", "text": text.replace("\r\n", "\n")}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        _fail(_l("Table cells hold text."))
    text = str(value)
    if len(text) > MAX_CELL:
        _fail(_l("A table cell is too long."))
    return text


def _table(block: dict[str, Any]) -> dict[str, Any]:
    columns = block.get("columns", [])
    rows = block.get("rows", [])
    if not isinstance(columns, list) or not isinstance(rows, list):
        _fail(_l("A table has a list of columns and a list of rows."))
    if not columns or len(columns) > MAX_COLUMNS:
        _fail(_l("A table has between 1 and %(n)d columns.", n=MAX_COLUMNS))
    if len(rows) > MAX_ROWS:
        _fail(_l("A table has at most %(n)d rows.", n=MAX_ROWS))
    clean_rows = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            _fail(_l("Every row of a table has one cell per column."))
        clean_rows.append([_cell(value) for value in row])
    title = _cell(block.get("title", ""))
    return {
        "kind": "table",
        "title": title,
        "columns": [_cell(c) for c in columns],
        "rows": clean_rows,
    }


BLOCK_KINDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "text": _text,
    "table": _table,
}


def clean_blocks(blocks: Any) -> list[dict[str, Any]]:
    """Validated, normalised copies of the blocks; raises ValidationFailed on the first fault."""
    if not isinstance(blocks, list):
        _fail(_l("The content is a list of blocks."))
    if len(blocks) > MAX_BLOCKS:
        _fail(_l("A version has at most %(n)d blocks.", n=MAX_BLOCKS))
    cleaned = []
    for block in blocks:
        kind = block.get("kind") if isinstance(block, dict) else None
        validator = BLOCK_KINDS.get(kind or "")
        if validator is None:
            _fail(_l("Unknown block kind: %(kind)s", kind=str(kind)))
        cleaned.append(validator(block))
    return cleaned


def default_blocks(kinds: Iterable[str]) -> list[dict[str, Any]]:
    """Empty blocks of the kinds a document type starts with."""
    blocks: list[dict[str, Any]] = []
    for kind in kinds:
        if kind == "text":
            blocks.append({"kind": "text", "text": ""})
        elif kind == "table":
            blocks.append({"kind": "table", "title": "", "columns": [""], "rows": []})
    return blocks


def content_hash(blocks: list[dict[str, Any]], attachment_hashes: Iterable[str] = ()) -> str:
    """SHA-256 over the canonical JSON of the blocks and the sorted attachment hashes."""
    payload = {"blocks": blocks, "attachments": sorted(attachment_hashes)}
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
