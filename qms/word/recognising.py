"""Which block kind a Word table is, told by its header cells, and the block it reads as.

The header words are the kinds' declared labels and real documents' spellings
(qms.word.vocabulary). A table is read as a kind only if every column it holds is understood
and the block passes the kind's own validation; anything else stays a free table, never
dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qms.core.errors import ValidationFailed
from qms.documents.block_kinds import KINDS
from qms.documents.block_kinds.declared import PHASE
from qms.word import notes
from qms.word.grids import Grid, fold, squeeze
from qms.word.pairs import read_pairs
from qms.word.parsed import Block
from qms.word.steps import read_steps
from qms.word.vocabulary import columns_of, vocabulary


def _required(kind: str) -> str:
    return next(f.key for f in KINDS[kind].fields if f.required is not None)


# Tables of rows, told by their header row, and the field a row of each must have: the one
# its declaration requires (a step, which requires none, by its task).
KEY_FIELD = {
    "sipoc": _required("sipoc"),
    "steps": "task",
    "indicators": _required("indicators"),
    "controls": _required("controls"),
    "form_fields": _required("form_fields"),
}
ROW_KINDS = tuple(KEY_FIELD)

# PLANEAR, HACER… (and Plan, Do…) as the declaration accepts them; a lone letter is no marker.
_PHASE_WORDS = {fold(k): v for k, v in PHASE.aliases.items() if len(k) > 1}
# Words that place a row of a SIPOC without phases, as a quality lead would.
_GUESS = (
    ("A", ("accion correctiva", "acciones correctivas", "acciones de mejora", "mejora")),
    ("V", ("seguimiento", "indicador", "evaluacion", "auditoria", "medicion", "verificar")),
    ("P", ("politica", "lineamiento", "metas", "identificar", "plan", "planear", "definir")),
)


@dataclass
class Recognised:
    block: Block
    # What was inferred rather than read (phases, step numbers, decision targets): a note each.
    inferred: tuple[Any, ...] = ()


def recognise(grid: Grid, phase: str = "") -> Recognised | None:
    """The structured block a table reads as; None: it stays a free table. `phase`: a PHVA
    marker just before the table."""
    grid = squeeze(grid)
    if len(grid) < 2:
        return None
    found = _row_kind(grid, phase)
    if found is None:
        block = read_pairs(grid)
        found = Recognised(block) if block is not None else None
    return found if found is not None and _valid(found.block) else None


def _valid(block: Block) -> bool:
    try:
        KINDS[block["kind"]].clean(block)
    except ValidationFailed:
        return False
    return True


def _header(grid: Grid) -> tuple[int, str, dict[int, str]] | None:
    """(header row, kind, columns) of the best-matching kind, the header among the first rows
    (a phase title row may come first)."""
    best: tuple[int, str, dict[int, str]] | None = None
    words = {kind: vocabulary(kind) for kind in ROW_KINDS}
    for top, row in enumerate(grid[:3]):
        for kind in ROW_KINDS:
            columns = columns_of(row, words[kind])
            if not columns or len(columns) < 2 or KEY_FIELD[kind] not in columns.values():
                continue
            if best is None or len(columns) > len(best[2]):
                best = (top, kind, columns)
        if best is not None:
            return best
    return None


def _phase_word(cells: list[str]) -> str:
    filled = [cell for cell in cells if cell]
    if len(filled) != 1:
        return ""
    return _PHASE_WORDS.get(fold(re.sub(r"\(.*\)", "", filled[0])), "")


def _phase_value(text: str) -> str:
    letter = text.strip().upper()
    return letter if letter in ("P", "H", "V", "A") else _phase_word([text])


def phase_marker(text: str) -> str:
    """The phase a marker line names: "PLANEAR" → "P"; "" for any other text."""
    return _phase_word([text])


def _row_kind(grid: Grid, phase: str) -> Recognised | None:
    header = _header(grid)
    if header is None:
        return None
    top, kind, columns = header
    records: list[dict[str, str]] = []
    phases: list[str] = []
    current = phase
    for row in grid[:top]:
        current = _phase_word(row) or current
    for row in grid[top + 1 :]:
        marker = _phase_word(row) if kind == "sipoc" else ""
        if marker:
            current = marker
            continue
        if [fold(c) for c in row] == [fold(c) for c in grid[top]]:
            continue  # the header again, as Word repeats it on each page
        record = {key: row[c] for c, key in columns.items()}
        if PHASE.key in record:
            # A merged phase cell reads once, then blank: the rows under it keep its phase.
            current = _phase_value(record[PHASE.key]) or current
        phases.append(current)
        records.append(record)
    if kind == "sipoc":
        return _sipoc(records, phases)
    if kind == "steps":
        return Recognised(*read_steps(records))
    if kind == "form_fields":
        return Recognised({"kind": kind, "title": "", "fields": [_field(r) for r in records]})
    return Recognised({"kind": kind, "title": "", "rows": records})


def _sipoc(records: list[dict[str, str]], phases: list[str]) -> Recognised:
    for record, phase in zip(records, phases, strict=True):
        record[PHASE.key] = phase or _guess_phase(record.get(KEY_FIELD["sipoc"], ""))
    inferred = (notes.PHASES,) if not all(phases) else ()
    return Recognised({"kind": "sipoc", "title": "", "rows": records}, inferred)


def _guess_phase(activity: str) -> str:
    words = fold(activity)
    return next((phase for phase, cues in _GUESS if any(c in words for c in cues)), "H")


_FIELD_TYPE = KINDS["form_fields"].field("type")
_YES = frozenset({"yes", "si", "x", "true", "1", "obligatorio", "requerido"})


def _field(record: dict[str, str]) -> dict[str, object]:
    """A form field as its table view writes it: the type stored or by its label, Yes/Sí for
    required, the options one per line or after commas."""
    typed = fold(record.get("type", ""))
    labels = {fold(str(label)): value for value, label in _FIELD_TYPE.choices}
    options = record.get("options", "")
    return {
        "label": record.get("label", ""),
        "type": labels.get(typed, typed) or _FIELD_TYPE.empty,
        "required": fold(record.get("required", "")) in _YES,
        "options": [o.strip() for o in re.split(r"\n|,", options) if o.strip()],
    }
