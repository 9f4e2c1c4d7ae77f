"""The process map as the usual ISO 9001 diagram, drawn on the server as inline SVG.

Four lanes, top to bottom: strategic, core (the value chain, joined by arrows), support and
evaluation; the customer's needs enter on the left and the customer's satisfaction leaves on
the right. Each process is a box that links to its page. Plain shapes with presentation
attributes only (no style attribute: the CSP forbids inline styles); every text is escaped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from qms.core.svg_text import clean as _clean
from qms.core.svg_text import num as _f
from qms.core.svg_text import text_element as _text
from qms.core.svg_text import wrap as _wrap

WIDTH = 1000
MARGIN = 12
SIDE_W = 120  # the customer columns
SIDE_GAP = 18
BODY_X = MARGIN + SIDE_W + SIDE_GAP
BODY_W = WIDTH - 2 * BODY_X
LANE_PAD = 14
LANE_HEAD = 28
LANE_GAP = 12
BOX_W = 146
BOX_H = 78
BOX_GAP = 16
CHAIN_GAP = 28  # core boxes are joined by an arrow: a wider gap
NAME_SIZE = 12
CODE_SIZE = 11
LINE_H = 15
NAME_LINES = 3
SIDE_SIZE = 12
SIDE_LINE_H = 16
STROKE = "#37474f"


@dataclass(frozen=True)
class Lane:
    key: str
    title: str
    fill: str
    box_fill: str
    stroke: str


# Colours read apart in print and for the common colour-vision deficiencies (blue, green,
# orange, purple families at different lightness).
LANE_COLOURS: dict[str, tuple[str, str, str]] = {
    "strategic": ("#e3ecf7", "#ffffff", "#1f5a96"),
    "core": ("#e6f2e6", "#ffffff", "#2e6b30"),
    "support": ("#fbeedd", "#ffffff", "#8a4b08"),
    "evaluation": ("#efe7f4", "#ffffff", "#5b3a78"),
}


@dataclass(frozen=True)
class MapBox:
    """One process as the map draws it."""

    code: str
    name: str
    url: str
    type: str
    sub_of: str = ""  # the code of its macro-process, when it has one on the map


def _rect(
    x: float, y: float, w: float, h: float, fill: str, stroke: str, *, dashed: bool = False
) -> str:
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    return (
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="6"'
        f' fill="{fill}" stroke="{stroke}" stroke-width="1.5"{dash}/>'
    )


def _columns(gap: float) -> int:
    return max(1, int((BODY_W - 2 * LANE_PAD + gap) // (BOX_W + gap)))


def _box(box: MapBox, x: float, y: float, lane: Lane, sub_label: Callable[[str], str]) -> str:
    name = _clean(box.name)
    code = _clean(box.code)
    lines = _wrap(name, BOX_W - 16, NAME_SIZE, NAME_LINES)
    label = f"{code} · {name}"
    if box.sub_of:
        label = f"{label} ({sub_label(_clean(box.sub_of))})"
    out = [
        f'<a href="{escape(box.url)}" aria-label="{escape(label)}" data-process="{escape(code)}"'
        f' data-lane="{escape(lane.key)}">',
        f"<title>{escape(label)}</title>",
        _rect(x, y, BOX_W, BOX_H, lane.box_fill, lane.stroke, dashed=bool(box.sub_of)),
    ]
    cx = x + BOX_W / 2
    block = LINE_H * len(lines) + CODE_SIZE + 4
    baseline = y + (BOX_H - block) / 2 + CODE_SIZE
    out.append(_text(cx, baseline, code, CODE_SIZE, fill=lane.stroke, bold=True))
    baseline += 4 + LINE_H
    for line in lines:
        out.append(_text(cx, baseline, line, NAME_SIZE))
        baseline += LINE_H
    out.append("</a>")
    return "\n".join(out)


def _arrow(x0: float, y0: float, x1: float, y1: float, marker: str, width: float = 1.5) -> str:
    return (
        f'<line x1="{_f(x0)}" y1="{_f(y0)}" x2="{_f(x1)}" y2="{_f(y1)}" stroke="{STROKE}"'
        f' stroke-width="{_f(width)}" marker-end="url(#{marker})"/>'
    )


def _lane(
    lane: Lane,
    boxes: Sequence[MapBox],
    top: float,
    marker: str,
    empty_text: str,
    sub_label: Callable[[str], str],
) -> tuple[list[str], float]:
    """The lane's shapes and its height."""
    chain = lane.key == "core"
    gap = CHAIN_GAP if chain else BOX_GAP
    per_row = _columns(gap)
    rows = max(1, -(-len(boxes) // per_row))
    height = LANE_HEAD + rows * BOX_H + (rows - 1) * gap + LANE_PAD
    out = [
        f'<g data-lane-key="{escape(lane.key)}">',
        _rect(BODY_X, top, BODY_W, height, lane.fill, lane.stroke),
        _text(
            BODY_X + LANE_PAD,
            top + 19,
            _clean(lane.title),
            13,
            anchor="start",
            fill=lane.stroke,
            bold=True,
        ),
    ]
    if not boxes:
        middle = top + LANE_HEAD + BOX_H / 2
        out.append(_text(BODY_X + BODY_W / 2, middle, _clean(empty_text), 12, fill="#555555"))
    # Each row is centred in the lane, so a lane of two processes does not lean left.
    for start in range(0, len(boxes), per_row):
        row = boxes[start : start + per_row]
        row_w = len(row) * BOX_W + (len(row) - 1) * gap
        x = BODY_X + (BODY_W - row_w) / 2
        y = top + LANE_HEAD + (start // per_row) * (BOX_H + gap)
        for i, box in enumerate(row):
            bx = x + i * (BOX_W + gap)
            out.append(_box(box, bx, y, lane, sub_label))
            if chain and i + 1 < len(row):
                cy = y + BOX_H / 2
                out.append(_arrow(bx + BOX_W + 3, cy, bx + BOX_W + gap - 3, cy, marker))
    out.append("</g>")
    return out, height


def _side(
    x: float,
    top: float,
    height: float,
    tip_y: float,
    text: str,
    colours: tuple[str, str],
    data: str,
) -> list[str]:
    """A tall arrow pointing right at `tip_y`, the customer's side of the map, its words
    inside."""
    fill, stroke = colours
    tip = 16
    body_w = SIDE_W - tip
    points = [
        (x, top),
        (x + body_w, top),
        (x + SIDE_W, tip_y),
        (x + body_w, top + height),
        (x, top + height),
    ]
    path = " ".join(f"{_f(px)},{_f(py)}" for px, py in points)
    lines = _wrap(_clean(text), (body_w - 8) / 1.1, SIDE_SIZE, 10)  # bold is wider
    block = len(lines) * SIDE_LINE_H
    middle = min(max(tip_y, top + block / 2 + 8), top + height - block / 2 - 8)
    baseline = middle - block / 2 + SIDE_SIZE
    out = [
        f'<g data-side="{data}">',
        f'<polygon points="{path}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>',
    ]
    for line in lines:
        out.append(_text(x + body_w / 2 + 2, baseline, line, SIDE_SIZE, fill=stroke, bold=True))
        baseline += SIDE_LINE_H
    out.append("</g>")
    return out


def process_map_svg(
    boxes: Sequence[MapBox],
    lane_titles: Mapping[str, str],
    *,
    title: str,
    needs: str,
    satisfaction: str,
    empty_lane: str,
    sub_label: Callable[[str], str],
) -> Markup:
    """The map of `boxes`, lane by lane in the order of `lane_titles` (its keys are the
    process types); a box of a type without a lane is left out."""
    lanes = [
        Lane(key, text, *LANE_COLOURS.get(key, ("#f2f2f2", "#ffffff", STROKE)))
        for key, text in lane_titles.items()
    ]
    marker = "qms-process-map-arrow"
    body: list[str] = []
    y = float(MARGIN)
    middles: dict[str, float] = {}
    for lane in lanes:
        shapes, height = _lane(
            lane, [b for b in boxes if b.type == lane.key], y, marker, empty_lane, sub_label
        )
        body.extend(shapes)
        middles[lane.key] = y + (LANE_HEAD + height) / 2
        y += height + LANE_GAP
    total = y - LANE_GAP + MARGIN
    inner_top, inner_h = float(MARGIN), total - 2 * MARGIN
    # Into the value chain from the needs, out of it to the satisfaction.
    at = middles.get("core", total / 2)
    right = WIDTH - MARGIN - SIDE_W
    sides = [
        *_side(MARGIN, inner_top, inner_h, at, needs, ("#fff8e1", "#6d4c00"), "needs"),
        *_side(right, inner_top, inner_h, at, satisfaction, ("#e0f2f1", "#00574b"), "satisfaction"),
    ]
    arrows = [
        _arrow(MARGIN + SIDE_W + 2, at, BODY_X - 2, at, marker, 2.5),
        _arrow(BODY_X + BODY_W + 2, at, right - 2, at, marker, 2.5),
    ]
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {_f(total)}"'
        f' width="{WIDTH}" height="{_f(total)}" class="process-map-svg"'
        ' aria-labelledby="process-map-title">',
        f'<title id="process-map-title">{escape(_clean(title))}</title>',
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6"'
        f' markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 Z" fill="{STROKE}"/>'
        "</marker></defs>",
    ]
    out = [*head, *sides, *body, *arrows, "</svg>"]
    return Markup("\n".join(out))  # noqa: S704 (every text and attribute escaped above)
