"""A Word table as a plain grid of texts, and the folding every label comparison goes through.

python-docx repeats a merged cell under every grid column and row it covers; here a merged
cell's text stands once, in its first column and row, and the cells it covers read as empty,
so nothing is read twice and a row spanning the table reads as one text then blanks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.text.paragraph import Paragraph

Grid = list[list[str]]

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower case, accents off, spaces collapsed, outer punctuation off: how labels compare."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _SPACES.sub(" ", plain.casefold()).strip(" :.-–—\t*#")


def content_of(element: BaseOxmlElement) -> Iterator[BaseOxmlElement]:
    """The paragraphs and tables of a body, header or cell, in order; content controls
    (w:sdt), which some templates wrap around whole sections, are opened."""
    for child in element.iterchildren():
        if child.tag in (qn("w:p"), qn("w:tbl")):
            yield child
        elif child.tag == qn("w:sdt"):
            inner = child.find(qn("w:sdtContent"))
            if inner is not None:
                yield from content_of(inner)


def _cells(tr: BaseOxmlElement) -> list[BaseOxmlElement]:
    return list(tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc"))


def _rows(tbl: BaseOxmlElement) -> list[BaseOxmlElement]:
    return list(tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr"))


def cell_text(tc: BaseOxmlElement) -> str:
    """Every paragraph of the cell (nested tables' too) on its own line."""
    lines = [Paragraph(p, None).text.strip() for p in tc.iter(qn("w:p"))]  # type: ignore[arg-type]
    return "\n".join(line for line in lines if line)


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) else default


def grid_of(tbl: BaseOxmlElement) -> Grid:
    rows: Grid = []
    for tr in _rows(tbl):
        row = [""] * _int(getattr(tr, "grid_before", 0), 0)
        for tc in _cells(tr):
            continued = getattr(tc, "vMerge", None) == "continue"
            row.append("" if continued else cell_text(tc))
            row.extend([""] * (_int(getattr(tc, "grid_span", 1), 1) - 1))
        rows.append(row)
    width = max((len(row) for row in rows), default=0)
    return [row + [""] * (width - len(row)) for row in rows]


def filled(row: list[str]) -> list[str]:
    return [cell for cell in row if cell]


def columns_used(grid: Grid) -> list[int]:
    """The columns that hold anything: merged cells leave columns of blanks behind."""
    width = len(grid[0]) if grid else 0
    return [c for c in range(width) if any(row[c] for row in grid)]


def squeeze(grid: Grid) -> Grid:
    """The grid without its empty rows and columns."""
    keep = columns_used(grid)
    return [[row[c] for c in keep] for row in grid if any(row)]
