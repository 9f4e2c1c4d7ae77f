"""CSV cells that spreadsheets will not run as formulas (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

# Excel, LibreOffice and Google Sheets treat a cell starting with one of these as a formula
# (tab and carriage return can hide a formula behind leading whitespace).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """The value as text, with a leading quote when it would start a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The BOM (so Excel reads UTF-8), the header, then one escaped CSV line per row."""
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
