"""The header words of each block kind: the declared labels and headings (in English, and in
Spanish when there is an app context to translate them), plus the spellings real documents
use where the labels do not say them."""

from __future__ import annotations

import re
from typing import Any

from flask import has_app_context
from flask_babel import force_locale

from qms.documents.block_kinds import KINDS
from qms.word.grids import fold

PAIR_HEADINGS = {
    "resources": (("recurso", "descripcion"), ("recursos", "descripcion")),
    "requirements": (
        ("clase", "requisito"),
        ("tipo", "requisito"),
        ("tipo de requisito", "requisito"),
    ),
}


def variants(cell: str) -> list[str]:
    """A header cell's readings: "Quién (Who)" as "quien (who)", "quien" and "who"."""
    folded = fold(cell)
    inside = re.findall(r"\(([^)]*)\)", folded)
    outside = fold(re.sub(r"\([^)]*\)", " ", folded))
    return [v for v in (folded, outside, *map(fold, inside)) if v]


def _translated(said: Any) -> list[str]:
    """A declared label, folded, in English and (with an app context) in Spanish."""
    locales = ["en", "es"] if has_app_context() else ["en"]
    texts = []
    for locale in locales:
        with force_locale(locale):
            texts.append(fold(str(said)))
    return texts


def _declared_words(kind: str) -> dict[str, str]:
    words: dict[str, str] = {}
    for f in KINDS[kind].fields:
        for said in (f.label, f.heading):
            if said is not None:
                for text in _translated(said):
                    words.setdefault(text, f.key)
    return words


def pair_headings(kind: str) -> set[tuple[str, ...]]:
    """The header row over a kind's (label, text) rows: its declared pair headings, as the
    export writes them, and the usual Spanish ones."""
    per_heading = [_translated(heading) for heading in KINDS[kind].pair_headings]
    return set(zip(*per_heading, strict=True)) | set(PAIR_HEADINGS.get(kind, ()))


def vocabulary(kind: str) -> dict[str, str]:
    """Folded header word → field key, for one kind."""
    words = _declared_words(kind)
    for f in KINDS[kind].fields:
        # The spellings real documents use win over a declared label that says them too.
        words |= {fold(spelling): f.key for spelling in f.headers}
    return words


def columns_of(row: list[str], words: dict[str, str]) -> dict[int, str] | None:
    """Column → field key, if every filled header cell names a field (each field once)."""
    columns: dict[int, str] = {}
    for c, cell in enumerate(row):
        if not cell:
            continue
        key = next((words[v] for v in variants(cell) if v in words), None)
        if key is None or key in columns.values():
            return None
        columns[c] = key
    return columns
