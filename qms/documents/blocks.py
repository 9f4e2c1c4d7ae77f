"""Content blocks of a version: validation per kind, defaults, and the content hash.

The block model is open: a kind is a validator in BLOCK_KINDS (the structured kinds live in
qms.documents.structured_blocks); a new kind registers without touching stored versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.documents import rendering
from qms.documents.block_fields import (
    MAX_BLOCKS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_TEXT,
    fail,
)
from qms.documents.block_fields import cell as _cell
from qms.documents.structured_blocks import VALIDATORS

_fail = fail


def _text(block: dict[str, Any]) -> dict[str, Any]:
    text = block.get("text", "")
    if not isinstance(text, str):
        _fail(_l("A text block holds text."))
    if len(text) > MAX_TEXT:
        _fail(_l("A text block is too long."))
    if rendering.markdown_too_heavy(text):
        _fail(
            _l(
                "A text block may hold at most %(n)d brackets ([); split it into several blocks.",
                n=rendering.MAX_BRACKETS,
            )
        )
    return {"kind": "text", "text": text.replace("\r\n", "\n")}


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
    **VALIDATORS,
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


# The order a new version's blocks come in, as the examples lay them out: objective, scope and
# leader, then the SIPOC or the steps, resources, controls, indicators, requirements, documents.
DEFAULT_ORDER = (
    "text",
    "table",
    "sipoc",
    "steps",
    "form_fields",
    "resources",
    "controls",
    "indicators",
    "requirements",
    "related",
)


HEADED_TYPES = ("characterization", "procedure", "work_instruction", "guide", "manual")


def _starter_text(type_key: str) -> str:
    if type_key not in HEADED_TYPES:
        return ""
    leader = _("Process leader") if type_key == "characterization" else _("Responsible")
    headings = (_("Objective"), _("Scope"), leader)
    return "\n\n".join(f"### {heading}\n\n" for heading in headings).strip() + "\n"


def _starter(kind: str, type_key: str) -> dict[str, Any]:
    titles = {
        "table": "",
        "sipoc": _("SIPOC by PHVA phase"),
        "steps": _("Procedure activities"),
        "form_fields": _("Form fields"),
        "resources": _("Resources"),
        "controls": _("Control plan"),
        "indicators": _("Indicators"),
        "requirements": _("Requirements"),
        "related": _("Related documents"),
    }
    if kind == "text":
        return {"kind": "text", "text": _starter_text(type_key)}
    if kind == "table":
        return {"kind": "table", "title": "", "columns": [""], "rows": []}
    # The validator turns a block holding only its title into the empty block of its kind.
    return BLOCK_KINDS[kind]({"kind": kind, "title": titles.get(kind, "")})


def default_blocks(kinds: Iterable[str], type_key: str = "") -> list[dict[str, Any]]:
    """The blocks a new document of a type starts with, titled and in the examples' order."""
    wanted = [kind for kind in dict.fromkeys(kinds) if kind in BLOCK_KINDS]
    rank = {kind: i for i, kind in enumerate(DEFAULT_ORDER)}
    wanted.sort(key=lambda kind: rank.get(kind, len(rank)))
    return [_starter(kind, type_key) for kind in wanted]


def content_hash(blocks: list[dict[str, Any]], attachment_hashes: Iterable[str] = ()) -> str:
    """SHA-256 over the canonical JSON of the blocks and the sorted attachment hashes."""
    payload = {"blocks": blocks, "attachments": sorted(attachment_hashes)}
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()
