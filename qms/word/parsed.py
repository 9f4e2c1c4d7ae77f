"""What reading a .docx gives: plain values, nothing stored. The importer turns them into a
document and its versions; the preview shows them, what was guessed marked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

Block = dict[str, Any]


@dataclass
class Person:
    """A name in the file's signature table (ELABORÓ / REVISÓ / APROBÓ): paper, not an
    e-signature."""

    meaning: str  # a SignatureMeaning value: authored, reviewed, approved
    name: str
    job_title: str = ""
    on: date | None = None


@dataclass
class HistoryRow:
    """One row of the file's "Historial de versiones" / "Control de cambios" table."""

    number: int
    on: date | None
    description: str
    who: str = ""


@dataclass
class Parsed:
    """A .docx read into the block model. Metadata left empty was not found; the names in
    `guessed` (metadata keys, or `block:<index>` for a block) were inferred rather than read
    from a labelled place."""

    code: str = ""
    title: str = ""
    number: int | None = None  # VERSIÓN: 3, "03", "2.0" → 2
    effective_from: date | None = None  # VIGENTE DESDE / FECHA DE VIGENCIA / FECHA
    process: str = ""  # a process name or code, as written
    macroprocess: str = ""
    responsible: str = ""
    type_name: str = ""  # "Caracterización", "Procedimiento", "Instructivo"…, as written
    people: list[Person] = field(default_factory=list)
    # Each block passes `qms.documents.blocks.clean_blocks`.
    blocks: list[Block] = field(default_factory=list)
    history: list[HistoryRow] = field(default_factory=list)
    guessed: set[str] = field(default_factory=set)
    # What the importer changed in the preview before saving ("code", "history", "content"…):
    # the trail tells what came from the file and what from a person.
    corrected: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a reader should check, translated
