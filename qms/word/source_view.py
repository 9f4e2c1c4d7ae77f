"""The file's own text as the preview shows it beside what was read: its page-header tables,
then its paragraphs and tables in order, every piece escaped, nothing interpreted."""

from __future__ import annotations

from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from markupsafe import Markup, escape

from qms.word.grids import Grid, content_of, grid_of, squeeze
from qms.word.safety import open_checked

MAX_CELLS = 20_000  # a preview, not a copy: a huge file shows its beginning


def source_html(data: bytes) -> Markup:
    document = open_checked(data)
    out: list[str] = []
    budget = MAX_CELLS
    headers = [section.header._element for section in document.sections[:1]]
    for element in [*headers, document.element.body]:
        for child in content_of(element):
            if budget <= 0:
                out.append("<p>…</p>")
                return Markup("".join(out))  # noqa: S704 (every piece escaped)
            if child.tag == qn("w:tbl"):
                grid = squeeze(grid_of(child))
                out.append(_table(grid))
                budget -= sum(len(row) for row in grid)
            else:
                text = Paragraph(child, document).text.strip()
                if text:
                    out.append(f"<p>{escape(text)}</p>")
                    budget -= 1
    return Markup("".join(out))  # noqa: S704 (every piece escaped)


def _table(grid: Grid) -> str:
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in grid
    )
    return f'<table class="list source">{rows}</table>'
