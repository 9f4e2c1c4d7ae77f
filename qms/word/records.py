"""The two tables a document keeps about itself: who wrote, reviewed and approved it (ELABORÓ /
REVISÓ / APROBÓ, in columns or in rows) and its version history. Both become metadata, not
blocks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from qms.search.analysis import fold_keep_length
from qms.word.grids import Grid, fold
from qms.word.metadata import parse_date, parse_number
from qms.word.parsed import HistoryRow, Person

_MEANINGS = {
    "authored": (
        "elaboro",
        "elaborado por",
        "elaborado",
        "preparo",
        "preparado por",
        "proyecto",
        "authored",
        "prepared by",
        "written by",
    ),
    "reviewed": ("reviso", "revisado por", "revisado", "verifico", "reviewed", "reviewed by"),
    "approved": ("aprobo", "aprobado por", "aprobado", "autorizo", "approved", "approved by"),
}
MEANINGS = {label: meaning for meaning, labels in _MEANINGS.items() for label in labels}
_MEANING_AT_START = re.compile(
    r"^(" + "|".join(sorted(map(re.escape, MEANINGS), key=len, reverse=True)) + r")\s*(?::\s*|$)"
)
_ATTRIBUTES = {
    "name": ("nombre", "nombres", "nombre y apellido", "nombres y apellidos", "name"),
    "job_title": ("cargo", "puesto", "rol", "dependencia", "job title", "position", "role"),
    "on": ("fecha", "date"),
    "signature": ("firma", "signature"),
}
ATTRIBUTES = {label: key for key, labels in _ATTRIBUTES.items() for label in labels}
_ATTRIBUTE_AT_START = re.compile(
    r"^(" + "|".join(sorted(map(re.escape, ATTRIBUTES), key=len, reverse=True)) + r")\s*:\s*"
)

_HISTORY_COLUMNS = {
    "number": ("version", "no version", "no. version", "version no", "n° version", "v"),
    "on": (
        "fecha",
        "fecha de aprobacion",
        "fecha de cambio",
        "fecha de actualizacion",
        "vigencia",
        "date",
    ),
    "description": (
        "descripcion",
        "descripcion del cambio",
        "descripcion de los cambios",
        "descripcion de la modificacion",
        "cambio",
        "cambios",
        "cambios realizados",
        "naturaleza del cambio",
        "modificacion",
        "motivo del cambio",
        "description",
        "change description",
        "change",
    ),
    "who": (
        "elaboro",
        "elaborado por",
        "responsable",
        "quien",
        "autor",
        "aprobo",
        "aprobado por",
        "modificado por",
        "solicitado por",
        "reviso",
        "revisado por",
        "author",
        "authored",
        "reviewed",
        "approved",
    ),
}
HISTORY_COLUMNS = {label: key for key, labels in _HISTORY_COLUMNS.items() for label in labels}
HISTORY_TITLES = frozenset(
    {
        "historial de versiones",
        "historial de cambios",
        "historico de cambios",
        "control de cambios",
        "control de versiones",
        "registro de cambios",
        "historia del documento",
        "version history",
        "change history",
        "revision history",
    }
)


def _meaning(cell: str) -> tuple[str, str] | None:
    """("authored", "Ana Pérez") for "Elaboró: Ana Pérez"; None for a cell naming no meaning."""
    match = _MEANING_AT_START.match(fold_keep_length(cell.strip()))
    if match is None:
        return None
    return MEANINGS[match.group(1)], cell.strip()[match.end() :].strip()


def _person(meaning: str, values: Sequence[tuple[str | None, str]]) -> Person | None:
    """A person from (attribute or None, text) pairs: labelled lines say what they are; of the
    unlabelled, a date is the date, then the name, then the job title."""
    person = Person(meaning=meaning, name="")
    loose: list[str] = []
    for attribute, text in values:
        for line in text.splitlines():
            match = _ATTRIBUTE_AT_START.match(fold_keep_length(line.strip()))
            said = ATTRIBUTES[match.group(1)] if match else attribute
            value = line.strip()[match.end() :].strip() if match else line.strip()
            if not fold(value) or said == "signature":
                continue  # blank, or a dash standing for nobody
            day = parse_date(value) if said in (None, "on") else None
            if day is not None:
                person.on = person.on or day
            elif said == "name" and not person.name:
                person.name = value
            elif said == "job_title" and not person.job_title:
                person.job_title = value
            elif said is None:
                loose.append(value)
    for value in loose:
        if not person.name:
            person.name = value
        elif not person.job_title:
            person.job_title = value
    return person if person.name else None


def _people(meaning: str, values: list[tuple[str | None, str]]) -> list[Person]:
    """Several people signing with one meaning share its cells, a line each, under labelled
    rows (Nombre: "Ana\nLuis"); otherwise the cells make one person."""
    names = next((text.splitlines() for said, text in values if said == "name"), [])
    if len(names) < 2:
        return [person] if (person := _person(meaning, values)) else []
    people = []
    for n in range(len(names)):
        lines = [(said, _line(text, n)) for said, text in values if said is not None]
        if (person := _person(meaning, lines)) is not None:
            people.append(person)
    return people


def _line(text: str, n: int) -> str:
    lines = text.splitlines()
    return lines[n] if n < len(lines) else ""


def read_people(grid: Grid) -> list[Person] | None:
    """The signature table's people; None if the table names fewer than two meanings."""
    found = [
        (r, c, *said)
        for r, row in enumerate(grid)
        for c, cell in enumerate(row)
        if cell and (said := _meaning(cell)) is not None
    ]
    if len({meaning for _r, _c, meaning, _rest in found}) < 2:
        return None
    by_row = Counter(r for r, _c, _m, _rest in found)
    people = []
    if by_row.most_common(1)[0][1] >= 2:
        # Meanings across a row, each person down its column; a first column may label lines.
        top = by_row.most_common(1)[0][0]
        meaning_columns = {c for r, c, _m, _rest in found if r == top}
        for r, c, meaning, rest in found:
            if r != top:
                continue
            values: list[tuple[str | None, str]] = [(None, rest)]
            for below in grid[r + 1 :]:
                label = next((x for i, x in enumerate(below) if x and i not in meaning_columns), "")
                values.append((ATTRIBUTES.get(fold(label)), below[c]))
            people.extend(_people(meaning, values))
    else:
        # Meanings down a column, each person along its row, a header row naming the columns.
        labels = _column_labels(grid)
        for r, c, meaning, rest in found:
            values = [(None, rest)] + [
                (labels.get(n), grid[r][n]) for n in range(c + 1, len(grid[r]))
            ]
            people.extend(_people(meaning, values))
    return people


def _column_labels(grid: Grid) -> dict[int, str]:
    labels: dict[int, str] = {}
    for row in grid:
        for c, cell in enumerate(row):
            key = ATTRIBUTES.get(fold(cell))
            if key and c not in labels:
                labels[c] = key
    return labels


def _history_columns(row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c, cell in enumerate(row):
        key = HISTORY_COLUMNS.get(fold(cell))
        if key and key not in columns:
            columns[key] = c
        elif key:
            columns[f"{key}:{c}"] = c  # counted as known, not read
    return columns


def read_history(grid: Grid, heading: str = "") -> list[HistoryRow] | None:
    """The rows of a version-history table; None if the table is none. Its headers say a
    version and a date or a description; under a "Historial de versiones" heading (before the
    table, or as its first row) a version column is enough."""
    titled = fold(heading) in HISTORY_TITLES
    for top, row in enumerate(grid[:4]):
        if any(fold(cell) in HISTORY_TITLES for cell in row if cell):
            titled = True
            continue
        columns = _history_columns(row)
        # Every header a history's, or a history title: a list of documents with their
        # versions and dates (Código | Nombre | Versión | Fecha) is content.
        known = len(columns) == len([cell for cell in row if cell])
        if "number" in columns and (titled or (known and {"on", "description"} & set(columns))):
            return _history_rows(grid[top + 1 :], columns)
    return None


def _history_rows(rows: Grid, columns: dict[str, int]) -> list[HistoryRow]:
    history = []
    for row in rows:
        number = parse_number(row[columns["number"]])
        if number is None:
            continue
        history.append(
            HistoryRow(
                number=number,
                on=parse_date(row[columns["on"]]) if "on" in columns else None,
                description=row[columns["description"]] if "description" in columns else "",
                who=row[columns["who"]] if "who" in columns else "",
            )
        )
    return history
