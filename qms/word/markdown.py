"""A Word paragraph as a line of the text block's Markdown: headings `###`, bold `**`, italics
`*`, list items `- ` (`1.` numbered); the characters Markdown would read as syntax are
escaped. Lines join into text blocks within a block's limits."""

from __future__ import annotations

import re
from dataclasses import dataclass

from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.hyperlink import Hyperlink
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from qms.documents.block_fields import MAX_TEXT
from qms.documents.rendering import MAX_BRACKETS
from qms.word.grids import fold

_SYNTAX = re.compile(r"([\\*_\[`])")
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+[.)])(?=\s|$)")
# A bold line this short, without a closing full stop, is a heading typed by hand.
_HEADING_MAX = 120


@dataclass(frozen=True)
class Line:
    markdown: str
    plain: str
    heading: bool = False
    listed: bool = False


def escape(text: str) -> str:
    """Markdown syntax characters escaped; a "<" that could open a tag written as an entity,
    or the sanitiser would drop the words as markup."""
    return _TAG_START.sub("&lt;", _SYNTAX.sub(r"\\\1", text))


def _styled(style: CharacterStyle | ParagraphStyle | None, attribute: str) -> bool | None:
    for _depth in range(20):  # a damaged file may base a style on itself
        if style is None:
            return None
        value = getattr(style.font, attribute)
        if value is not None:
            return bool(value)
        style = style.base_style
    return None


def _is(run: Run, paragraph: Paragraph, attribute: str) -> bool:
    """Bold or italic as Word shows it: the run, then its character style, then the
    paragraph's style."""
    value = getattr(run, attribute)
    if value is not None:
        return bool(value)
    for style in (run.style, paragraph.style):
        styled = _styled(style, attribute)
        if styled is not None:
            return styled
    return False


def _runs(paragraph: Paragraph) -> list[Run]:
    runs: list[Run] = []
    for item in paragraph.iter_inner_content():
        runs.extend(item.runs if isinstance(item, Hyperlink) else [item])
    return runs


def _segments(paragraph: Paragraph) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic), neighbours of the same look joined."""
    segments: list[tuple[str, bool, bool]] = []
    for run in _runs(paragraph):
        text = run.text.replace("\t", " ")
        if not text:
            continue
        look = (_is(run, paragraph, "bold"), _is(run, paragraph, "italic"))
        if segments and segments[-1][1:] == look:
            segments[-1] = (segments[-1][0] + text, *look)
        else:
            segments.append((text, *look))
    return segments


def _emphasised(text: str, bold: bool, italic: bool) -> str:
    core = text.strip()
    mark = ("**" if bold else "") + ("*" if italic else "")
    if not core or not mark:
        return escape(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{mark}{escape(core)}{mark}{trail}"


def _outline_level(paragraph: Paragraph) -> int | None:
    ppr = paragraph._p.pPr
    level = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    value = level.get(qn("w:val")) if level is not None else None
    return int(value) if value is not None and value.isdigit() else None


def _style_name(paragraph: Paragraph) -> str:
    return fold(paragraph.style.name or "") if paragraph.style is not None else ""


def _numbering(paragraph: Paragraph) -> BaseOxmlElement | None:
    """The paragraph's w:numPr, or its style's (List Bullet 2 is numbered by its style)."""
    ppr = paragraph._p.pPr
    found = ppr.find(qn("w:numPr")) if ppr is not None else None
    style = paragraph.style
    for _depth in range(20):
        if found is not None or style is None:
            break
        style_ppr = style.element.pPr
        found = style_ppr.find(qn("w:numPr")) if style_ppr is not None else None
        style = style.base_style
    return found


def _list_item(paragraph: Paragraph) -> tuple[int, bool] | None:
    """(level, numbered) of a list paragraph, by its numbering or its list style; None for
    any other paragraph."""
    numbering = _numbering(paragraph)
    name = _style_name(paragraph)
    styled = any(word in name for word in ("list", "lista", "vineta"))
    if numbering is None and not styled:
        return None
    numbered = any(word in name for word in ("number", "numero", "numeracion"))
    if numbering is None:
        return _style_level(name), numbered
    ilvl = numbering.find(qn("w:ilvl"))
    num_id = numbering.find(qn("w:numId"))
    value = ilvl.get(qn("w:val")) if ilvl is not None else None
    level = int(value) if value is not None and value.isdigit() else _style_level(name)
    if num_id is not None:
        numbered = _format(paragraph, num_id.get(qn("w:val")) or "", level) not in ("", "bullet")
    return level, numbered


def _style_level(name: str) -> int:
    """ "List Bullet 2" is the second level: its numbering names no level, the style does."""
    last = name.rsplit(" ", 1)[-1]
    return int(last) - 1 if last.isdigit() and 1 <= int(last) <= 9 else 0


def _format(paragraph: Paragraph, num_id: str, level: int) -> str:
    """The numbering format Word draws a list level with: "bullet", "decimal"…; "" unknown."""
    try:
        numbering = paragraph.part.numbering_part.element  # type: ignore[attr-defined]
    except (AttributeError, KeyError, NotImplementedError):
        return ""
    abstract = numbering.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
    if not abstract:
        return ""
    formats = numbering.xpath(
        f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl[@w:ilvl="{level}"]'
        "/w:numFmt/@w:val"
    )
    return str(formats[0]) if formats else ""


def _is_heading(paragraph: Paragraph, segments: list[tuple[str, bool, bool]]) -> bool:
    name = _style_name(paragraph)
    if name.startswith(("heading", "titulo", "title", "subtitle", "encabezado")):
        return True
    level = _outline_level(paragraph)
    if level is not None and level < 9:
        return True
    plain = "".join(text for text, _b, _i in segments).strip()
    all_bold = all(bold for text, bold, _i in segments if text.strip())
    return bool(plain) and all_bold and len(plain) <= _HEADING_MAX and not plain.endswith(".")


def line_of(paragraph: Paragraph) -> Line:
    segments = _segments(paragraph)
    plain = "".join(text for text, _b, _i in segments).strip()
    if not plain:
        return Line("", "")
    item = _list_item(paragraph)
    if item is None and _is_heading(paragraph, segments):
        return Line(f"### {escape(plain)}", plain, heading=True)
    inline = "".join(_emphasised(*segment) for segment in segments).strip()
    if item is not None:
        # Python-Markdown, which draws the page, nests a list by four spaces.
        level, numbered = item
        return Line(f"{'    ' * level}{'1.' if numbered else '-'} {inline}", plain, listed=True)
    if segments and not (segments[0][1] or segments[0][2]):
        inline = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), inline)
    return Line(inline, plain)


def texts_of(lines: list[Line]) -> list[str]:
    """The lines as Markdown, list items one per line, paragraphs apart; cut into blocks
    within a text block's limits."""
    texts: list[str] = []
    current = ""
    previous: Line | None = None
    for line in lines:
        for piece in _pieces(line.markdown):
            joint = "\n" if previous and previous.listed and line.listed else "\n\n"
            candidate = f"{current}{joint}{piece}" if current else piece
            if len(candidate) > MAX_TEXT or candidate.count("[") > MAX_BRACKETS:
                texts.append(current)
                candidate = piece
            current = candidate
            previous = line
    if current:
        texts.append(current)
    return [text for text in texts if text]


def _pieces(markdown: str) -> list[str]:
    """A paragraph longer than a text block holds (or with more brackets), in parts that fit;
    never cut between an escaping backslash and its character."""
    if len(markdown) <= MAX_TEXT and markdown.count("[") <= MAX_BRACKETS:
        return [markdown]
    pieces: list[str] = []
    start = brackets = 0
    for i, char in enumerate(markdown):
        brackets += char == "["
        if i - start >= MAX_TEXT or brackets > MAX_BRACKETS:
            cut = i - 1 if markdown[i - 1] == "\\" else i
            pieces.append(markdown[start:cut])
            start, brackets = cut, markdown[cut : i + 1].count("[")
    return [*pieces, markdown[start:]]
