"""A version written to .docx: the page header, its blocks, the signatures and the history.

The file is laid out to be read back by the importer (`qms.word.reading`) to the same content,
so its structures are plain ones: the header is a table in the section header whose labels
("Código", "Versión", "Vigente desde", "Proceso") each sit in a cell with the value in the next
one; each structured block is a heading with its title followed by a table with the kind's own
columns (`BlockKind.table`, the view the page, the print and search read); the signatures are a
table headed Elaboró / Revisó / Aprobó with rows for name, job title and date; the history is a
table under "Historial de versiones".
"""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

from docx import Document as new_docx
from docx.document import Document as Docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Cm, Emu, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from flask import has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.permissions import Permission, require
from qms.core.timefmt import format_day
from qms.core.trail_actions import TrailAction
from qms.documents.block_kinds import kind_of
from qms.documents.history import HistoryRow, version_history
from qms.documents.integrity import ensure_intact
from qms.documents.models import Document, DocumentVersion, SignatureMeaning
from qms.documents.paper_signers import paper_signers
from qms.documents.queries import get_version, stage_signatures
from qms.documents.rendering import render_markdown
from qms.organisation.identity import current_identity
from qms.trail import services as trail

M = SignatureMeaning
# Block titles and the history are sections of the document; a text block's
# own `#` headings sit at the same level (Markdown `#` → Heading 1).
SECTION_LEVEL = 1
TABLE_STYLE = "Table Grid"
NONE = "—"


def version_docx(session: Session, actor: Any, version_id: int) -> tuple[str, bytes]:
    """(file name, .docx bytes) of a version the actor may see, on record in the trail.

    Hidden or missing is NotFound, as on the version page; content changed behind the
    application's back is refused as it is for printing (ContentAltered, recorded).
    """
    require(actor, Permission.DOCUMENT_READ)
    version = get_version(session, actor, version_id)
    ensure_intact(session, version, actor, "export")
    document = version.document
    word = new_docx()
    _page_setup(word)
    _describe(word, document, version)
    _page_header(word.sections[0], document, version)
    for block in version.content or []:
        _block(word, block)
    _signatures(word, version)
    history = [
        row
        for row in version_history(session, actor, document)
        if row.number <= version.number  # as printed: what came before this version
    ]
    _history(word, history)
    trail.record(
        session,
        TrailAction.DOCUMENT_EXPORT,
        "document_version",
        version.id,
        actor=actor,
        after={"document": document.code, "number": version.number, "format": "docx"},
    )
    out = BytesIO()
    word.save(out)
    return f"{document.code}_v{version.number}.docx", out.getvalue()


def _page_setup(word: Docx) -> None:
    """Margins of 2 cm and tables at 9 pt: a six-column SIPOC in portrait keeps its words
    whole (python-docx's template has 2.54 cm margins and 11 pt cells)."""
    for section in word.sections:
        section.left_margin = section.right_margin = Cm(2)
        section.top_margin = section.bottom_margin = Cm(2)
    word.styles[TABLE_STYLE].font.size = Pt(9)


def organisation_name() -> str:
    # The settings page's name (qms.organisation), else QMS_ORGANISATION_NAME; blank when unset.
    if not has_app_context():
        return ""
    return current_identity().name


def _describe(word: Docx, document: Document, version: DocumentVersion) -> None:
    properties = word.core_properties
    properties.title = document.title
    properties.identifier = document.code
    properties.version = str(version.number)
    properties.author = organisation_name()


# --- the page header ---------------------------------------------------------------------


def _page_header(section: Section, document: Document, version: DocumentVersion) -> None:
    """Organisation · Título · "Página X de Y" over Código / Versión / Vigente desde / Proceso,
    repeated on every page by Word itself (it is the section's header)."""
    header = section.header
    header.is_linked_to_previous = False
    table = header.add_table(rows=3, cols=4, width=_text_width(section))
    table.style = TABLE_STYLE
    _full_width(table, section)
    top = table.rows[0].cells
    _bold(top[0], organisation_name())
    _bold(top[1], _("Title"))
    _bold(top[2], document.title)
    _page_of(top[3].paragraphs[0])
    pairs = [
        (_("Code"), document.code),
        (_("Version"), str(version.number)),
        (_("Effective from"), format_day(version.effective_from) or NONE),
        (_("Process"), document.process.name),
    ]
    for index, (label, value) in enumerate(pairs):
        cells = table.rows[1 + index // 2].cells
        _bold(cells[2 * (index % 2)], label)
        cells[2 * (index % 2) + 1].text = value
    # Word ends every story with a paragraph: the empty one the header starts with goes after
    # the table rather than above it (a blank line over the header).
    header.paragraphs[0]._p.addprevious(table._tbl)


def _page_of(paragraph: Paragraph) -> None:
    """ "Página X de Y" as Word's own PAGE and NUMPAGES fields, so every page counts itself."""
    paragraph.add_run(f"{_('Page')} ")
    _field(paragraph, "PAGE")
    paragraph.add_run(f" {_('of')} ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph: Paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple", {qn("w:instr"): f" {instruction} "})
    run = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.text = "1"  # what a reader shows before Word updates the field
    run.append(shown)
    field.append(run)
    paragraph._p.append(field)


# --- blocks ------------------------------------------------------------------------------


def _block(word: Docx, block: dict[str, Any]) -> None:
    declared = kind_of(block.get("kind"))
    if declared is None:
        word.add_paragraph(_("This block (%(kind)s) cannot be shown yet.", kind=block.get("kind")))
        return
    if declared.prose:
        _markdown(word, str(block.get(declared.fields[0].key) or ""))
        return
    title = str(block.get("title") or "")
    if title:
        word.add_heading(title, level=SECTION_LEVEL)
    view = declared.table(block)
    rows = [[str(value or "") for value in row] for row in view["rows"]]
    _table(word, [str(column) for column in view["columns"]], rows)


def _table(word: Docx, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> DocxTable:
    """A grid whose first row holds the column names, bold, repeated atop each page."""
    table = word.add_table(rows=1, cols=max(len(columns), 1))
    table.style = TABLE_STYLE
    _full_width(table, word.sections[-1])
    head = table.rows[0]
    for cell, column in zip(head.cells, columns, strict=False):
        _bold(cell, column)
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=False):
            cell.text = value
    return table


def _text_width(section: Section) -> Emu:
    page = section.page_width or Cm(21)
    return Emu(int(page) - int(section.left_margin or 0) - int(section.right_margin or 0))


def _full_width(table: DocxTable, section: Section) -> None:
    """The table across the text width in equal columns. Without widths LibreOffice draws a
    new table at a fraction of the page, breaking words inside narrow cells."""
    share = Emu(int(_text_width(section)) // max(len(table.columns), 1))
    table.autofit = True
    for column in table.columns:
        column.width = share
    for cell in table._cells:
        cell.width = share
    preferred = table._tbl.tblPr.find(qn("w:tblW"))
    if preferred is None:
        preferred = OxmlElement("w:tblW")
        table._tbl.tblPr.append(preferred)
    preferred.set(qn("w:type"), "pct")
    preferred.set(qn("w:w"), "5000")  # fiftieths of a percent: the whole width


def _bold(cell: _Cell, text: str) -> None:
    cell.paragraphs[0].add_run(text).bold = True


def _markdown(word: Docx, text: str) -> None:
    """A text block through the page's own Markdown rendering (safe HTML), then into Word."""
    writer = _MarkdownWriter(word)
    writer.feed(str(render_markdown(text)))
    writer.close()


# The page demotes `#` to h3 (it owns h1 and h2); Word gets them back as Heading 1, 2...
HEADINGS = {"h3": 1, "h4": 2, "h5": 3, "h6": 4}
LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
MONOSPACE = "Courier New"


class _MarkdownWriter(HTMLParser):
    """Paragraphs, headings, list items, runs and tables from the rendered Markdown's HTML."""

    def __init__(self, word: Docx) -> None:
        super().__init__(convert_charrefs=True)
        self.word = word
        self.paragraph: Paragraph | None = None
        self.bold = self.italic = self.code = self.pre = self.quote = 0
        self.lists: list[str] = []
        self.grid: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HEADINGS:
            self.paragraph = self.word.add_heading(level=HEADINGS[tag])
        elif tag in LIST_STYLES:
            self._close()
            self.lists.append(tag)
        elif tag == "li":
            depth = min(len(self.lists), 3)
            style = LIST_STYLES[self.lists[-1] if self.lists else "ul"]
            self.paragraph = self.word.add_paragraph(
                style=style if depth <= 1 else f"{style} {depth}"
            )
        elif tag == "p":
            # A loose list's item wraps its text in <p>: the item's paragraph takes the first,
            # the others continue the item.
            if not (self.lists and self.paragraph is not None and not self.paragraph.text):
                continued = "List Continue" if self.lists else "Quote" if self.quote else None
                self.paragraph = self.word.add_paragraph(style=continued)
        elif tag == "pre":
            self.pre += 1
            self.paragraph = self.word.add_paragraph()
        elif tag == "blockquote":
            self.quote += 1
        elif tag in ("strong", "b"):
            self.bold += 1
        elif tag in ("em", "i"):
            self.italic += 1
        elif tag == "code":
            self.code += 1
        elif tag == "br" and self.paragraph is not None:
            self.paragraph.add_run().add_break()
        elif tag == "table":
            self.grid = []
        elif tag == "tr" and self.grid is not None:
            self.grid.append([])
        elif tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in HEADINGS or tag in ("p", "li"):
            self._close()
        elif tag == "pre":
            self._close()
            self.pre -= 1
        elif tag in LIST_STYLES and self.lists:
            self.lists.pop()
            self._close()
        elif tag == "blockquote":
            self.quote -= 1
        elif tag in ("strong", "b"):
            self.bold -= 1
        elif tag in ("em", "i"):
            self.italic -= 1
        elif tag == "code":
            self.code -= 1
        elif tag in ("th", "td") and self.cell is not None:
            if self.grid:
                self.grid[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table" and self.grid is not None:
            head, *rows = self.grid or [[]]
            _table(self.word, head, rows)
            self.grid = None

    def _close(self) -> None:
        """End the paragraph, without the line break that ended its source line."""
        if self.paragraph is not None and self.paragraph.runs and not self.pre:
            last = self.paragraph.runs[-1]
            last.text = last.text.rstrip()
        self.paragraph = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            return
        if not self.pre:
            # HTML's whitespace: a soft line break in the Markdown reads as a space.
            data = " ".join(data.split("\n"))
            if self.paragraph is None or self.paragraph.text[-1:] in ("", "\n"):
                data = data.lstrip()  # at the start of a line
        if not data:
            return
        if self.paragraph is None:
            self.paragraph = self.word.add_paragraph()
        run = self.paragraph.add_run(data)
        run.bold = bool(self.bold) or None
        run.italic = bool(self.italic) or None
        if self.code or self.pre:
            run.font.name = MONOSPACE


# --- signatures and history --------------------------------------------------------------


def _signatures(word: Docx, version: DocumentVersion) -> None:
    """Elaboró / Revisó / Aprobó of the version's last round, as the printed copy shows them:
    one line per signer in each cell, the name, the job title they signed with, the day; a
    version imported from Word and never signed here shows the names signed on paper.
    No heading over it: its header row says what it is, and a reader would take a heading
    for a text block of the content."""
    signers = [_signers(version, meaning) for meaning in (M.AUTHORED, M.REVIEWED, M.APPROVED)]
    rows = [
        [label, *("\n".join(person[line] for person in people) or NONE for people in signers)]
        for line, label in enumerate((_("Name"), _("Job title"), _("Date")))
    ]
    _table(word, ["", _("Authored"), _("Reviewed"), _("Approved")], rows)


def _signers(version: DocumentVersion, meaning: str) -> list[tuple[str, str, str]]:
    """(name, job title, day) of each signer of the version's last round with that meaning."""
    signed = [
        (s.printed_name, s.job_title, format_day(s.signed_at))
        for s in stage_signatures(version, meaning)
    ]
    return signed or [
        (p.name, p.job_title, format_day(p.on)) for p in paper_signers(version, meaning)
    ]


def _history(word: Docx, history: list[HistoryRow]) -> None:
    word.add_heading(_("Version history"), level=SECTION_LEVEL)
    columns = [
        _("Version"),
        _("Date"),
        _("Change description"),
        _("Authored"),
        _("Reviewed"),
        _("Approved"),
    ]
    rows = [
        [
            str(row.number),
            format_day(row.effective_from) or NONE,
            row.change_summary,  # empty reads back as empty, not as a dash
            "\n".join(row.authored) or NONE,
            "\n".join(row.reviewed) or NONE,
            "\n".join(row.approved) or NONE,
        ]
        for row in history
    ]
    _table(word, columns, rows)
