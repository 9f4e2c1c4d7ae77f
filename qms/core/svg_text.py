"""Text inside the SVG diagrams we draw (flowcharts, 5 whys, fishbone): made safe for XML and
wrapped to a box by an estimate of glyph width, since the SVG is drawn without measuring."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import escape

CHAR_W = 0.55  # average glyph width as a fraction of the font size; fine for DejaVu Sans

# Characters XML 1.0 forbids; one of them would make the whole SVG unparsable.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(value: Any) -> str:
    """The value as one line of XML-safe text."""
    return " ".join(_INVALID_XML.sub("", str(value or "")).split())


def num(value: float) -> str:
    """A coordinate as short as it can be written."""
    return f"{round(value, 1):g}"


def wrap(text: str, width_px: float, size: int, max_lines: int) -> list[str]:
    """Greedy word wrap by estimated glyph width; overflow ends the last line with an ellipsis."""
    per_line = max(4, int(width_px / (CHAR_W * size)))
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > per_line:  # codes and URLs have no spaces; cut them rather than overflow
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:per_line])
            word = word[per_line:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= per_line:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: per_line - 1].rstrip() + "…"]
    return lines or [""]


FONT = "DejaVu Sans, sans-serif"  # ships with the app (qms/static/fonts) and with WeasyPrint


def text_element(
    x: float,
    y: float,
    text: str,
    size: int,
    anchor: str = "middle",
    fill: str = "#111111",
    bold: bool = False,
) -> str:
    """One <text> at (x, y), escaped: the diagrams' only way of writing words."""
    weight = ' font-weight="bold"' if bold else ""
    return (
        f'<text x="{num(x)}" y="{num(y)}" font-family="{FONT}" font-size="{size}"'
        f' text-anchor="{anchor}" fill="{fill}"{weight}>{escape(str(text))}</text>'
    )
