"""Exports people open in a spreadsheet: CSV and XLSX, text never run as a formula.

One home for the master list, the nonconformity register and the trail export: the same
formula-injection guard, the same dates (as the pages write them in CSV, real dates in XLSX),
the same header row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from qms.core.timefmt import format_day, spreadsheet_day_format

# Excel, LibreOffice and Google Sheets treat a cell starting with one of these as a formula
# (tab and carriage return can hide a formula behind leading whitespace).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"  # makes Excel read the CSV as UTF-8
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> str:
    """The value as CSV text (a date as the pages write it), quoted when it would start a
    formula."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_day(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_lines(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The BOM, the header, then one escaped CSV line per row (streamable)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(values: Iterable[object]) -> str:
        writer.writerow([safe_cell(v) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(header)
    for row in rows:
        yield line(row)


def csv_bytes(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    return "".join(csv_lines(header, rows)).encode("utf-8")


def xlsx_bytes(
    *,
    sheet_title: str,
    stamp: str,
    header: Sequence[object],
    rows: Iterable[Iterable[object]],
    book_title: str | None = None,
) -> bytes:
    """Row 1 says what the list is and when it was exported; row 2 is the header (bold,
    frozen, filtered, repeated on printed pages); then the rows, dates as real dates shown as
    the pages show them, text always text (a title such as "=HYPERLINK(…)" is never run)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title[:31]  # Excel's limit
    sheet.append([stamp])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([str(label) for label in header])
    fill = PatternFill("solid", start_color="DCE3EC")
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = fill
    widths = [len(str(label)) for label in header]
    day_format = spreadsheet_day_format()
    for values in rows:
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
        )
        for index, cell in enumerate(sheet[sheet.max_row]):
            if isinstance(cell.value, date):
                cell.number_format = day_format
                widths[index] = max(widths[index], 10)
            elif isinstance(cell.value, str):
                cell.data_type = "s"
                widths[index] = max(widths[index], len(cell.value))
            elif cell.value is not None:
                widths[index] = max(widths[index], len(str(cell.value)))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(widths))}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "2:2"
    if book_title:
        book.properties.title = book_title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
