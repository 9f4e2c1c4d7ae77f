"""The labelled values of a document's page header or first lines: code, version, date,
process, responsible, title and type, however the organisation wrote the label.

A label is compared folded (accents and case off). Its value is in the same text after a colon
("CÓDIGO: CSC-AC-CR-01", "Proceso: X Procedimiento: Y"), in the cell to its right ("Código" |
"PD-GCR-MR-002"), or under it when a whole row holds labels.
"""

from __future__ import annotations

import re
from datetime import date

from qms.search.analysis import fold_keep_length
from qms.word import notes
from qms.word.grids import Grid, fold
from qms.word.parsed import Parsed

_LABELS = {
    "code": ("codigo", "cod", "codigo del documento", "codigo documento", "codificacion", "code"),
    "number": ("version", "version no", "version n°", "no version", "no. version", "n° version"),
    "effective_from": (
        "vigente desde",
        "fecha de vigencia",
        "fecha vigencia",
        "vigencia",
        "vigencia desde",
        "fecha",
        "fecha de aprobacion",
        "fecha aprobacion",
        "fecha de emision",
        "fecha de actualizacion",
        "effective from",
        "effective date",
        "date",
    ),
    "process": ("proceso", "nombre del proceso", "proceso al que pertenece", "process"),
    "macroprocess": ("macroproceso", "macro proceso", "macro-process", "macroprocess"),
    "responsible": (
        "responsable",
        "responsable del proceso",
        "lider del proceso",
        "lider de proceso",
        "dueno del proceso",
        "responsible",
        "process owner",
    ),
    "type_name": ("tipo de documento", "tipo documento", "tipo", "document type"),
    "title": ("titulo", "nombre del documento", "titulo del documento", "title"),
    # Labels of the header that the model has no place for: known, so that their value is
    # not taken for another label's.
    "other": ("tipo de proceso", "pagina", "hoja", "empresa", "entidad", "organizacion", "page"),
}
# The type names as organisations spell them; a label of one names the title ("Procedimiento:
# Mantener Relaciones"), a title starting with one gives the type.
TYPE_NAMES = {
    fold(name): name
    for name in (
        "Caracterización",
        "Procedimiento",
        "Instructivo",
        "Formato",
        "Manual",
        "Política",
        "Guía",
        "Plan",
        "Programa",
        "Protocolo",
        "Reglamento",
        "Matriz",
    )
}
LABELS = {label: key for key, labels in _LABELS.items() for label in labels}
LABELS |= dict.fromkeys(TYPE_NAMES, "typed_title")
# Read into `Parsed` but also content: left in the body where they stand.
CONTENT_KEYS = frozenset({"responsible"})

_INLINE = re.compile(
    r"(?:^|(?<=\s))("
    + "|".join(re.escape(k) for k in sorted(LABELS, key=len, reverse=True))
    # A label ends at a colon: "Proceso de compras" is no label.
    + r")\s*:\s*"
)
MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("enero", "ene", "january", "jan"),
            ("febrero", "feb", "february"),
            ("marzo", "mar", "march"),
            ("abril", "abr", "april", "apr"),
            ("mayo", "may"),
            ("junio", "jun", "june"),
            ("julio", "jul", "july"),
            ("agosto", "ago", "august", "aug"),
            ("septiembre", "setiembre", "sep", "sept", "set", "september"),
            ("octubre", "oct", "october"),
            ("noviembre", "nov", "november"),
            ("diciembre", "dic", "december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,4})[/.-](\d{1,2})[/.-](\d{2,4})\b")
_WORDED_DATE = re.compile(r"\b(\d{1,2})\s*(?:de\s+)?([a-z]+)\.?\s*(?:de\s+|del\s+)?(\d{4})\b")
_MONTH_FIRST = re.compile(r"\b([a-z]+)\.?\s+(\d{1,2})\s*(?:de\s+|,\s*)?(\d{4})\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
# A document code has a digit and no spaces: CSC-AC-CR-01, PD-GCR-MR-002, MC.01.
_CODE = re.compile(r"^(?=[^\s]*\d)[A-Z0-9][A-Z0-9._/-]{1,39}$")


def label_key(text: str) -> str | None:
    """The metadata key a cell or paragraph that is only a label names."""
    return LABELS.get(fold(text))


def _day(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """31/08/2025, 31-08-2025, 2020-06-17, "31 de agosto de 2025", "agosto 31 de 2025"; day
    first, as Colombia writes it (month first only where day first is no date)."""
    folded = fold(text)
    match = _NUMERIC_DATE.search(folded)
    if match:
        a, b, c = (int(part) for part in match.groups())
        if len(match.group(1)) == 4:
            return _day(a, b, c)
        return _day(c, b, a) or _day(c, a, b)
    match = _WORDED_DATE.search(folded)
    if match and match.group(2) in MONTHS:
        return _day(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
    match = _MONTH_FIRST.search(folded)
    if match and match.group(1) in MONTHS:
        return _day(int(match.group(3)), MONTHS[match.group(1)], int(match.group(2)))
    return None


def parse_number(text: str) -> int | None:
    """3, "03", "2.0" → 2, "Versión 4" → 4."""
    match = _NUMBER.search(text)
    if match is None:
        return None
    return int(float(match.group().replace(",", ".")))


def type_of(title: str) -> str:
    """The type a title starts with: "Caracterización Atención al Cliente" → Caracterización."""
    first = fold(title).split(" ", 1)[0] if title.strip() else ""
    return TYPE_NAMES.get(first, "")


def record(parsed: Parsed, key: str, value: str) -> bool:
    """Set a metadata field from a labelled value; the first value found stands."""
    value = value.strip()
    if not value:
        return False
    if key == "number":
        number = parse_number(value)
        if number is not None and parsed.number is None:
            parsed.number = number
        return number is not None
    if key == "effective_from":
        day = parse_date(value)
        # Only what was meant for a date is worth a note: "Fecha | Observaciones" is not.
        if day is None and parsed.effective_from is None and any(c.isdigit() for c in value):
            note = str(notes.BAD_DATE % {"text": value[:40]})
            if note not in parsed.notes:
                parsed.notes.append(note)
        if day is not None and parsed.effective_from is None:
            parsed.effective_from = day
        return day is not None
    if key == "other":
        return True
    if key == "code":
        code = value.upper()
        if not _CODE.match(code):
            return False  # "Código | Nombre": a column header, not a value
        parsed.code = parsed.code or code
        return True
    if key == "typed_title":
        return False  # needs its label: see `record_pair`
    if not getattr(parsed, key):
        setattr(parsed, key, value)
    return True


def record_pair(parsed: Parsed, label: str, key: str, value: str) -> bool:
    if key != "typed_title":
        return record(parsed, key, value)
    type_name = TYPE_NAMES[fold(label)]
    if not value.strip():
        return False
    if not parsed.type_name:
        parsed.type_name = type_name
    if not parsed.title:
        parsed.title = f"{type_name} {value.strip()}"
    return True


def record_inline(parsed: Parsed, text: str) -> list[str]:
    """The keys of a "LABEL: value" text (and its later labels) that have a value, each read
    where it is understood; [] if it is no such text."""
    folded = fold_keep_length(text)
    found: list[re.Match[str]] = []
    for match in _INLINE.finditer(folded):
        if folded[: match.start()].strip() and not found:
            return []
        found.append(match)
    if not found:
        return []
    keys = []
    for match, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following else len(text)
        label = text[match.start(1) : match.end(1)]
        key = LABELS[fold(match.group(1))]
        value = text[match.end() : end]
        record_pair(parsed, label, key, value)
        if value.strip():
            keys.append(key)
    return keys


def read_grid(parsed: Parsed, grid: Grid) -> tuple[set[str], int]:
    """Read the labelled values of a table: (the keys read, how many of its cells were used)."""
    keys: set[str] = set()
    used: set[tuple[int, int]] = set()
    for r, row in enumerate(grid):
        labels = {c: label_key(cell) for c, cell in enumerate(row) if cell}
        labelled = [c for c, key in labels.items() if key]
        # A row of labels over a row of values: NOMBRE DEL PROCESO | RESPONSABLE DEL PROCESO.
        if len(labelled) >= 2 and len(labelled) == len(labels) and r + 1 < len(grid):
            below = grid[r + 1]
            for c in labelled:
                value = below[c]
                if (
                    value
                    and label_key(value) is None
                    and record_pair(parsed, row[c], labels[c] or "", value)
                ):
                    keys.add(labels[c] or "")
                    used |= {(r, c), (r + 1, c)}
            continue
        for c, cell in enumerate(row):
            if (r, c) in used or not cell:
                continue
            key = labels.get(c)
            if key:
                after = next((n for n in range(c + 1, len(row)) if row[n]), None)
                value = row[after] if after is not None else ""
                if value and label_key(value) is None and record_pair(parsed, cell, key, value):
                    keys.add(key)
                    used |= {(r, c), (r, after or 0)}
                continue
            inline = record_inline(parsed, cell)
            if inline:
                keys |= set(inline)
                used.add((r, c))
    return keys, len(used)
