"""Content blocks of a version: validation, defaults, and the content hash.

The block model is open: a kind is a declaration in qms.documents.block_kinds; a new kind
registers there without touching stored versions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from qms.documents.block_fields import MAX_BLOCKS, fail
from qms.documents.block_kinds import KINDS

_fail = fail

BLOCK_KINDS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    name: kind.clean for name, kind in KINDS.items()
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
DEFAULT_ORDER = tuple(kind.kind for kind in sorted(KINDS.values(), key=lambda k: k.place))


HEADED_TYPES = ("characterization", "procedure", "work_instruction", "guide", "manual")


def _starter_text(type_key: str) -> str:
    if type_key not in HEADED_TYPES:
        return ""
    leader = _("Process leader") if type_key == "characterization" else _("Responsible")
    headings = (_("Objective"), _("Scope"), leader)
    return "\n\n".join(f"### {heading}\n\n" for heading in headings).strip() + "\n"


def _starter(kind: str, type_key: str) -> dict[str, Any]:
    if kind == "text":
        return {"kind": "text", "text": _starter_text(type_key)}
    declared = KINDS[kind]
    if not declared.titled:
        return declared.empty()
    # The validator turns a block holding only its title into the empty block of its kind.
    block = declared.empty() | {"title": str(declared.starter_title)}
    return declared.clean(block)


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
