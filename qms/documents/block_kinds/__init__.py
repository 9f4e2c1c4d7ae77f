"""The block kinds, one declaration each (see declared.py), and what is read from them."""

from __future__ import annotations

from typing import Any

from qms.documents.block_kinds.declared import DECLARED
from qms.documents.block_kinds.model import Block, BlockKind, Field, Table

__all__ = [
    "KINDS",
    "Block",
    "BlockKind",
    "Field",
    "Table",
    "block_json_schema",
    "block_text",
    "kind_of",
]

KINDS: dict[str, BlockKind] = {kind.kind: kind for kind in DECLARED}


def kind_of(name: Any) -> BlockKind | None:
    return KINDS.get(str(name or ""))


def block_text(block: Block) -> str:
    """A block as plain text for search; a kind nobody declares reads as nothing."""
    declared = kind_of(block.get("kind"))
    return declared.plain_text(block) if declared is not None else ""


def block_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12 / OpenAPI 3.1) of one content block: one branch per kind, told
    apart by its `kind` constant. Describes the stored shape; the server also accepts numbers
    in text cells and drops unknown keys. Needs an app context (the descriptions are in the
    reader's language)."""
    return {
        "title": "Block",
        "type": "object",
        "required": ["kind"],
        "oneOf": [kind.json_schema() for kind in KINDS.values()],
    }
