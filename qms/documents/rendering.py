"""HTML of a version's content blocks: Markdown sanitised by nh3, tables escaped cell by cell.

Raw HTML written in the Markdown never comes through: Python-Markdown's raw-HTML handling is
switched off (it is shown as text) and nh3 then keeps only a small allow-list of tags.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html import unescape as html_unescape
from typing import Any

import markdown
import nh3
from flask_babel import gettext as _
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

from qms.documents.structured_rendering import PAGE_RENDERERS

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "code",
    "pre",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Content that nh3 removes with the tag, not just the tag.
DROPPED_WITH_CONTENT = {"script", "style"}


class _DemoteHeadings(Treeprocessor):
    """`#` becomes h3: the page already owns h1 and h2, and the allow-list starts at h3."""

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            if len(element.tag) == 2 and element.tag[0] == "h" and element.tag[1].isdigit():
                element.tag = f"h{min(int(element.tag[1]) + 2, 6)}"


class _NoRawHtml(markdown.Extension):
    """Drop raw-HTML parsing so `<script>` and friends stay literal, escaped text."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DemoteHeadings(md), "demote_headings", 1)


def _markdown() -> markdown.Markdown:
    # A new instance per call: Markdown objects keep state and are not thread-safe.
    return markdown.Markdown(extensions=["tables", "sane_lists", _NoRawHtml()])


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        # Only absolute http(s)/mailto links: a relative one would point into the app itself.
        url_relative="deny",
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# Python-Markdown's inline link scan is quadratic in the number of brackets: 25,000 "[a]("
# took 90 s. A block with more than this many is shown as plain text (the editor refuses
# such a block on save; this guards what is already stored).
MAX_BRACKETS = 1000


def markdown_too_heavy(text: str) -> bool:
    return text.count("[") > MAX_BRACKETS


_LINE_END = re.compile(r"</(?:p|li|h[1-6]|tr|blockquote|pre|table|ul|ol)>|<br\s*/?>", re.I)


def markdown_text(text: str) -> str:
    """What a reader sees of a Markdown block, as plain text: for search and the comparison,
    which must show words, never Markdown source."""
    html = _LINE_END.sub("\n", str(render_markdown(text)))
    plain = html_unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", plain).strip()


def render_markdown(text: str) -> Markup:
    """Safe HTML of a Markdown text block."""
    text = text or ""
    if markdown_too_heavy(text):
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        return Markup("").join(Markup("<p>%s</p>") % p for p in paragraphs)
    return Markup(sanitize(_markdown().convert(text)))  # noqa: S704 (sanitised above)


def _cell_html(value: Any) -> Markup:
    # Cells are plain text; a line break inside a cell stays visible.
    return Markup("<br>").join(escape(part) for part in str(value).split("\n"))


def render_table(block: dict[str, Any]) -> Markup:
    """A table block as an HTML table; every cell escaped."""
    parts = [Markup('<div class="table-wrap"><table class="list content-table">')]
    title = block.get("title") or ""
    if title:
        parts.append(Markup("<caption>%s</caption>") % title)
    columns = block.get("columns") or []
    parts.append(Markup("<thead><tr>"))
    parts.extend(Markup('<th scope="col">%s</th>') % _cell_html(c) for c in columns)
    parts.append(Markup("</tr></thead><tbody>"))
    for row in block.get("rows") or []:
        cells = Markup("").join(Markup("<td>%s</td>") % _cell_html(c) for c in row)
        parts.append(Markup("<tr>%s</tr>") % cells)
    parts.append(Markup("</tbody></table></div>"))
    return Markup("").join(parts)


def _text(block: dict[str, Any]) -> Markup:
    return render_markdown(block.get("text", ""))


RENDERERS: dict[str, Callable[[dict[str, Any]], Markup]] = {
    "text": _text,
    "table": render_table,
    **PAGE_RENDERERS,
}


def render_block(block: dict[str, Any]) -> Markup:
    """One block as safe HTML; kinds without a renderer yet say so instead of failing."""
    renderer = RENDERERS.get(str(block.get("kind", "")))
    if renderer is None:
        message = _("This block (%(kind)s) cannot be shown yet.", kind=block.get("kind", "?"))
        return Markup('<p class="muted">%s</p>') % message
    return renderer(block)
