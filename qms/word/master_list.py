"""An organisation's hand-kept master list (listado maestro) read from XLSX or CSV;
`qms.word.completing` completes a file's metadata from its row.

The list is an upload like any other, so hostile: size-capped, an XLSX passes a zip gate like
the .docx one before openpyxl reads a byte, rows and columns are capped, and anything that
goes wrong is a ValidationFailed on the "master_list" field. Columns are found by their
header (accents and case aside, the usual Spanish names), in the first rows of every sheet.

A file finds its row by its code, else by its title, else by its file name starting with a
listed code (`Listing.row_for`).
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath

from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed
from qms.word import safety
from qms.word.grids import fold
from qms.word.metadata import parse_date, parse_number
from qms.word.parsed import Parsed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 40
MAX_SHEETS = 20
HEADER_ROWS = 20  # title rows above the header ("LISTADO MAESTRO DE DOCUMENTOS", the logo…)
MAX_CELL = 300
# A spreadsheet of 5,000 rows of text unpacks to a few MB; far more is padding.
MAX_UNPACKED = 50 * safety.MB
WORKBOOK_PART = "xl/workbook.xml"

# Each key's header names, most specific first: when a list has several date columns, the
# date in force wins over the approval date, which wins over a bare "Fecha".
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("codigo", "codigo del documento", "codigo documento", "cod", "code"),
    "title": (
        "titulo",
        "titulo del documento",
        "nombre del documento",
        "nombre documento",
        "nombre",
        "documento",
        "title",
    ),
    "type_name": ("tipo de documento", "tipo documento", "tipo", "document type", "type"),
    "process": ("proceso", "nombre del proceso", "proceso al que pertenece", "process"),
    "number": (
        "version",
        "version vigente",
        "version actual",
        "no. version",
        "n° version",
        "no version",
        "ver",
    ),
    "effective_from": (
        "fecha de vigencia",
        "vigente desde",
        "fecha vigencia",
        "vigencia",
        "fecha de aprobacion",
        "fecha aprobacion",
        "fecha",
        "effective from",
        "date",
    ),
}
_RANKS = {
    header: (key, rank) for key, names in HEADERS.items() for rank, header in enumerate(names)
}
DAMAGED = _l("The master list is damaged or is not a valid Excel (.xlsx) file.")

Cell = object  # what openpyxl or csv gives: str, int, float, datetime, None


@dataclass(frozen=True)
class ListedDocument:
    code: str = ""
    title: str = ""
    type_name: str = ""
    process: str = ""
    number: int | None = None
    effective_from: date | None = None


@dataclass
class Listing:
    """The rows of one master list, looked up by folded code and title (the first row of a
    repeated code or title stands)."""

    name: str
    rows: list[ListedDocument]
    by_code: dict[str, ListedDocument] = field(init=False, default_factory=dict)
    by_title: dict[str, ListedDocument] = field(init=False, default_factory=dict)
    codes: list[str] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        for row in self.rows:
            if row.code:
                self.by_code.setdefault(fold(row.code), row)
            if row.title:
                self.by_title.setdefault(fold(row.title), row)
        # Longest first: "PD-GCR-MR-002 Mantener.docx" is that code's, not "PD-GCR"'s.
        self.codes = sorted(self.by_code, key=len, reverse=True)

    def row_for(self, parsed: Parsed, filename: str) -> ListedDocument | None:
        found = self.by_code.get(fold(parsed.code)) if parsed.code else None
        if found is None and parsed.title:
            found = self.by_title.get(fold(parsed.title))
        if found is None:
            stem = fold(PurePosixPath(filename.replace("\\", "/")).stem)
            code = next((c for c in self.codes if _names_code(stem, c)), None)
            found = self.by_code[code] if code is not None else None
        return found


def _names_code(stem: str, code: str) -> bool:
    return stem == code or stem.startswith((code + " ", code + "_"))


def refused(message: object) -> ValidationFailed:
    return ValidationFailed(str(message), field="master_list")


def read_master_list(data: bytes, filename: str) -> Listing:
    """The list in `data` (XLSX or CSV, told apart by their bytes); ValidationFailed on the
    "master_list" field for anything that cannot be read as one."""
    if len(data) > MAX_BYTES:
        raise refused(_l("The master list is larger than %(mb)s MB.", mb=MAX_BYTES // safety.MB))
    if data.startswith(safety.OLE_MAGIC):
        if safety.ENCRYPTED_PACKAGE in data:
            raise refused(_l("The master list is protected with a password: remove it first."))
        raise refused(_l("The master list is an old Excel file (.xls): save it as .xlsx first."))
    if data.startswith(safety.ZIP_MAGIC):
        rows = _xlsx_listed(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise refused(DAMAGED)
    else:
        rows = list(_listed(_csv_rows(data), room=MAX_ROWS))
    if not rows:
        raise refused(
            _l("No documents were found in the master list: it needs a Code or a Title column.")
        )
    return Listing(name=filename, rows=rows)


def _xlsx_listed(data: bytes) -> list[ListedDocument]:
    """The documents of every sheet with a header, streamed: never more rows in memory than
    the cap allows."""
    from openpyxl import load_workbook  # a heavy import, only for those who send a list

    try:
        # The .docx gate's checks, with the workbook's main part and a lower limit; macros are
        # no matter, only values are read.
        safety.check_package(data, WORKBOOK_PART, max_total=MAX_UNPACKED, refuse_macros=False)
    except ValidationFailed as error:
        raise refused(DAMAGED) from error
    rows: list[ListedDocument] = []
    try:
        # Only values are read: openpyxl's warnings about features it drops (data
        # validation, conditional formats) say nothing to us.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets[:MAX_SHEETS]:
                cells = sheet.iter_rows(
                    max_row=HEADER_ROWS + MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True
                )
                rows.extend(_listed(cells, room=MAX_ROWS - len(rows)))
        finally:
            book.close()
    except ValidationFailed:
        raise  # too many rows: said as such
    # openpyxl raises anything from KeyError to its own errors on a damaged workbook: to the
    # person uploading, all of them mean the same.
    except Exception as error:
        raise refused(_l("The master list could not be read as an Excel file.")) from error
    return rows


def _csv_rows(data: bytes) -> list[Sequence[Cell]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in Spanish saves "CSV (delimitado por comas)" in Windows-1252.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise refused(_l("The master list is neither an Excel nor a CSV file.")) from error
    if "\x00" in text:
        raise refused(_l("The master list is neither an Excel nor a CSV file."))
    # Excel writes ";" where the decimal separator is a comma, "," elsewhere: the one whose
    # header names more columns is the file's.
    best: list[Sequence[Cell]] = []
    best_found = 0
    for delimiter in (";", ","):
        try:
            rows: list[Sequence[Cell]] = list(
                _capped(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
            )
        except csv.Error as error:
            raise refused(_l("The master list could not be read as a CSV file.")) from error
        found = max((len(_columns(row)) for row in rows[:HEADER_ROWS]), default=0)
        if found > best_found:
            best, best_found = rows, found
    return best


def _capped(reader: Iterable[list[str]]) -> Iterator[list[str]]:
    for n, row in enumerate(reader):
        if n > HEADER_ROWS + MAX_ROWS:
            return
        yield row[:MAX_COLUMNS]


def _columns(row: Sequence[Cell]) -> dict[str, int]:
    """Key → column of a header row: for each key, its best-ranked header."""
    best: dict[str, tuple[int, int]] = {}
    for column, cell in enumerate(row):
        if not isinstance(cell, str):
            continue
        ranked = _RANKS.get(fold(cell))
        if ranked is not None:
            key, rank = ranked
            if key not in best or rank < best[key][0]:
                best[key] = (rank, column)
    return {key: column for key, (_rank, column) in best.items()}


def _listed(rows: Iterable[Sequence[Cell]], room: int) -> Iterator[ListedDocument]:
    """The documents under a sheet's first header row naming a code or a title and one more
    column, found in its first rows (a sheet without one gives nothing)."""
    columns: dict[str, int] | None = None
    for n, row in enumerate(rows):
        if columns is None:
            if n >= HEADER_ROWS:
                return
            found = _columns(row)
            if len(found) >= 2 and ("code" in found or "title" in found):
                columns = found
            continue
        listed = _document(row, columns)
        if listed is None:
            continue
        if room <= 0:
            raise refused(_l("The master list has more than %(n)s rows.", n=MAX_ROWS))
        room -= 1
        yield listed


def _document(row: Sequence[Cell], columns: dict[str, int]) -> ListedDocument | None:
    def cell(key: str) -> Cell:
        column = columns.get(key)
        return row[column] if column is not None and column < len(row) else None

    code, title = _text(cell("code")).upper(), _text(cell("title"))
    if not code and not title:
        return None
    return ListedDocument(
        code=code,
        title=title,
        type_name=_text(cell("type_name")),
        process=_text(cell("process")),
        number=_number(cell("number")),
        effective_from=_date(cell("effective_from")),
    )


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number: 101, not 101.0
    return " ".join(str(value if value is not None else "").split())[:MAX_CELL]


def _number(value: Cell) -> int | None:
    number: int | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
    elif _text(value):
        number = parse_number(_text(value))
    return number if number is not None and 1 <= number <= 999 else None


def _date(value: Cell) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(_text(value)) if isinstance(value, str) else None
