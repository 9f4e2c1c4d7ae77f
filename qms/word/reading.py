"""A .docx read into the block model with its metadata and history; nothing is stored.

The page headers give the labelled metadata (code, version, date, process…). The body is read
in order: paragraphs gather into Markdown text blocks until a table; a table is the version
history, the signature table or the metadata table (all read, none a block), a structured
block its headers name (SIPOC, steps, indicators…), or else a free table, never dropped. A
signature or history table in the page footer is read too; the rest of the footer is not.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from qms.documents.block_fields import MAX_BLOCKS
from qms.word import notes
from qms.word.grids import Grid, content_of, fold, grid_of
from qms.word.markdown import Line, line_of, texts_of
from qms.word.metadata import CONTENT_KEYS, label_key, read_grid, record, record_inline, type_of
from qms.word.parsed import Block, Parsed
from qms.word.recognising import phase_marker, recognise
from qms.word.records import HISTORY_TITLES, read_history, read_people
from qms.word.tables import free_tables

# The stamp of a printed copy, typed into the file: page furniture, not content.
STAMPS = frozenset(
    {
        "copia no controlada",
        "copia controlada",
        "documento no controlado",
        "uncontrolled copy",
        "controlled copy",
    }
)
SIGNATURE_TITLES = frozenset(
    {
        "firmas",
        "aprobacion",
        "aprobacion del documento",
        "control de aprobacion",
        "revision y aprobacion",
    }
)
# The keys whose label marks a repeated page header typed into the body.
_HEADER_KEYS = frozenset({"code", "number", "effective_from"})


def read_bytes(data: bytes, filename: str = "") -> Parsed:
    """Check the file at the zip level, open it, read it."""
    from qms.word.safety import open_checked

    return read_docx(open_checked(data, filename))


def read_docx(document: Document) -> Parsed:
    parsed = Parsed()
    for paragraph_or_table in _page_content(document, footers=False):
        _read_header(parsed, paragraph_or_table)
    body = _Body(parsed)
    for element in content_of(document.element.body):
        if element.tag == qn("w:p"):
            body.paragraph(line_of(Paragraph(element, document)))
        else:
            body.table(grid_of(element))
    body.finish()
    for item in _page_content(document, footers=True):
        if isinstance(item, Table):
            _read_footer_table(parsed, grid_of(item._tbl))
    _finish(parsed, body.first_heading)
    return parsed


def _page_content(document: Document, footers: bool) -> list[Paragraph | Table]:
    """The paragraphs and tables of every page header (or footer) the file defines; one
    linked to the previous section's is that one, read once."""
    content: list[Paragraph | Table] = []
    for section in document.sections:
        parts = (
            (section.footer, section.first_page_footer)
            if footers
            else (section.header, section.first_page_header)
        )
        for part in parts[: 2 if section.different_first_page_header_footer else 1]:
            if not part.is_linked_to_previous:
                content.extend(part.iter_inner_content())
    return content


def _read_footer_table(parsed: Parsed, grid: Grid) -> None:
    """Some organisations sign in the page footer; the rest of a footer is page furniture."""
    history = read_history(grid)
    if history is not None:
        parsed.history.extend(history)
    elif not parsed.people:
        parsed.people.extend(read_people(grid) or [])


def _read_header(parsed: Parsed, item: Paragraph | Table) -> None:
    if isinstance(item, Paragraph):
        texts = [item.text.strip()]
    else:
        grid = grid_of(item._tbl)
        read_grid(parsed, grid)
        texts = [cell for row in grid for cell in row if cell]
    for text in texts:
        if not record_inline(parsed, text):
            _take_title(parsed, text)


def _take_title(parsed: Parsed, text: str) -> bool:
    """A line that starts with a type's name ("Caracterización Atención al Cliente") is the
    title, the type guessed from it."""
    type_name = type_of(text)
    if not type_name or parsed.title or len(text) > 200 or "\n" in text:
        return False
    parsed.title = text.strip()
    if not parsed.type_name:
        parsed.type_name = type_name
        parsed.guessed.add("type_name")
    return True


class _Body:
    def __init__(self, parsed: Parsed) -> None:
        self.parsed = parsed
        self.blocks: list[Block] = []
        self.lines: list[Line] = []
        self.phase_line: Line | None = None  # PLANEAR / HACER…, held for the next table
        self.started = False  # content has begun: later labels are the body's words
        self.awaiting_responsible = False
        self.first_heading = ""

    # --- paragraphs ----------------------------------------------------------------------

    def paragraph(self, line: Line) -> None:
        if not line.plain or fold(line.plain) in STAMPS:
            return
        if self.awaiting_responsible:
            self.awaiting_responsible = False
            record(self.parsed, "responsible", line.plain)
        if not line.listed and self._read_labels(line.plain):
            return
        if not self.started and _take_title(self.parsed, line.plain):
            return
        if fold(line.plain) == fold(self.parsed.title) and not self.lines:
            return  # the title again, typed at the top of a page
        self.awaiting_responsible = label_key(line.plain) == "responsible"
        marker = phase_marker(line.plain)
        self._flush_phase()
        if marker:
            self.phase_line = line
            return
        if line.heading and not self.first_heading:
            self.first_heading = line.plain
        self.lines.append(line)
        self.started = True

    def _read_labels(self, text: str) -> bool:
        """Read a "LABEL: value" line; whether it is page header, not content."""
        keys = set(record_inline(Parsed(), text))
        if not keys:
            return False
        header = not self.started or (keys & {"code", "number"} and keys <= _HEADER_KEYS)
        if header or keys <= CONTENT_KEYS:
            record_inline(self.parsed, text)
        return bool(header) and not keys <= CONTENT_KEYS

    def _flush_phase(self) -> None:
        if self.phase_line is not None:
            self.lines.append(self.phase_line)
            self.phase_line = None
            self.started = True

    def _flush_text(self) -> None:
        for text in texts_of(self.lines):
            self._add({"kind": "text", "text": text})
        self.lines = []

    # --- tables --------------------------------------------------------------------------

    def _heading(self) -> str:
        return self.lines[-1].plain if self.lines and self.lines[-1].heading else ""

    def _take_heading(self) -> str:
        heading = self._heading()
        if heading:
            self.lines.pop()
        return heading

    def table(self, grid: Grid) -> None:
        if not any(any(row) for row in grid):
            return
        history = read_history(grid, self._heading())
        if history is not None:
            self.parsed.history.extend(history)
            if fold(self._heading()) in HISTORY_TITLES:
                self.lines.pop()
            return
        people = read_people(grid)
        if people:
            self.parsed.people.extend(people)
            if fold(self._heading()) in SIGNATURE_TITLES:
                self.lines.pop()
            return
        phase = phase_marker(self.phase_line.plain) if self.phase_line else ""
        found = recognise(grid, phase)
        if found is not None:
            self.phase_line = None
            title = self._take_heading()
            self._structured(found.block, title, found.inferred)
            return
        if self._metadata_table(grid):
            return
        self._flush_phase()
        title = self._take_heading()
        for block in free_tables(grid, title, self.parsed):
            self._flush_text()
            self._add(block)

    def _structured(self, block: Block, title: str, inferred: tuple[Any, ...]) -> None:
        previous = self.blocks[-1] if self.blocks else None
        guessed = bool(inferred)
        continues = previous is not None and previous["kind"] == block["kind"] == "sipoc"
        if previous is not None and continues and not (self.lines or title):
            # One SIPOC split into a table per phase, or across pages.
            key = f"block:{len(self.blocks) - 1}"
            guessed = guessed or key in self.parsed.guessed
            self.parsed.guessed.discard(key)
            self.blocks.pop()
            title = previous["title"]
            block = {**previous, "rows": previous["rows"] + block["rows"]}
        self._flush_text()
        for note in map(str, inferred):
            if note not in self.parsed.notes:
                self.parsed.notes.append(note)
        self._add({**block, "title": title}, guessed)

    def _metadata_table(self, grid: Grid) -> bool:
        """The labelled code, version and date table at the top: read, not a block. A labelled
        table without them (process and responsible) is read, and stays content."""
        keys, used = read_grid(Parsed(), grid)
        cells = sum(1 for row in grid for cell in row if cell)
        # Once content has begun, only a page header typed again (code with version or date,
        # most of the table) is one: a small "Código | X" table there is content.
        if self.started:
            header = len(keys & _HEADER_KEYS) >= 2 and used * 2 >= cells
        else:
            header = bool(keys & _HEADER_KEYS)
        if header or (keys and not self.started):
            read_grid(self.parsed, grid)
            for cell in (cell for row in grid for cell in row if cell):
                if not record_inline(Parsed(), cell):
                    _take_title(self.parsed, cell)
        return header

    def _add(self, block: Block, guessed: bool = False) -> None:
        if guessed:
            self.parsed.guessed.add(f"block:{len(self.blocks)}")
        self.blocks.append(block)
        self.started = True

    def finish(self) -> None:
        self._flush_phase()
        self._flush_text()
        if len(self.blocks) > MAX_BLOCKS:
            self.parsed.notes.append(str(notes.TOO_MANY % {"n": MAX_BLOCKS}))
            self.blocks = self.blocks[:MAX_BLOCKS]
            kept = {f"block:{n}" for n in range(MAX_BLOCKS)}
            self.parsed.guessed = {
                key for key in self.parsed.guessed if not key.startswith("block:") or key in kept
            }
        self.parsed.blocks = self.blocks


def _finish(parsed: Parsed, first_heading: str) -> None:
    if not parsed.title and first_heading:
        parsed.title = first_heading
        parsed.guessed.add("title")
    if not parsed.type_name and type_of(parsed.title):
        parsed.type_name = type_of(parsed.title)
        parsed.guessed.add("type_name")
    for missing, note in (
        (not parsed.code, notes.NO_CODE),
        (parsed.number is None, notes.NO_NUMBER),
        (parsed.effective_from is None, notes.NO_DATE),
    ):
        if missing:
            parsed.notes.append(str(note))
