"""Root-cause analysis diagrams of a nonconformity as printable inline SVG: 5 whys and Ishikawa.

Only plain SVG shapes, text and a marker with presentation attributes are used, so WeasyPrint
prints them the same as browsers; every text is escaped and the output is deterministic.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Literal, get_args

from markupsafe import Markup, escape

from qms.core.svg_text import clean as _clean
from qms.core.svg_text import num as _f
from qms.core.svg_text import text_element as _text
from qms.core.svg_text import wrap as _wrap

IshikawaCategory = Literal[
    "method", "manpower", "machinery", "materials", "measurement", "environment"
]
# The six M's: the first three bones are drawn above the spine, the last three below it.
CATEGORIES: tuple[str, ...] = get_args(IshikawaCategory)
DEFAULT_LABELS: dict[str, str] = {
    "method": "Método",
    "manpower": "Mano de obra",
    "machinery": "Maquinaria",
    "materials": "Materiales",
    "measurement": "Medición",
    "environment": "Medio ambiente",
}

FONT_SIZE = 12
SMALL_SIZE = 10
BOLD_W = 0.88  # bold DejaVu glyphs are wider: wrap bold text to this share of the width
LINE_H = 15
SMALL_LINE_H = 13
MARGIN = 16
STROKE = "#333333"
ROOT_STROKE = "#8b0000"  # dark red: chosen root causes
ROOT_FILL = "#fdecea"  # light red
# Five whys.
WHY_W = 360
WHY_GAP = 40  # room for an arrowhead and its "why N" label
WHY_MAX_LINES = 5
TAG_H = 16
# Ishikawa.
COL_W = 220  # horizontal distance between neighbouring bones
TICK = 14
TEXT_GAP = 22  # from a bone to the end of its causes' text (tick plus selection marker)
CAUSE_W = COL_W - TEXT_GAP - 16  # keeps 16 px clear of the previous bone
CAUSE_LINES = 2
LABEL_H = 24
SPINE_PAD = 12  # no cause text closer than this (plus half a slot gap) to the spine
END_PAD = 8
MIN_BONE = 60
SLANT = 0.35  # horizontal run of a bone per unit of height
MAX_RUN = 90
HEAD_W = 180


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str, sw: float) -> str:
    return (
        f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="3"'
        f' fill="{fill}" stroke="{stroke}" stroke-width="{_f(sw)}"/>'
    )


def _open_svg(
    prefix: str, payload: Any, width: float, height: float, title: str
) -> tuple[list[str], str]:
    """The `<svg>` start, its title and an arrowhead marker whose id depends only on the input.

    Two diagrams on one page must not share a marker id, and equal input must give equal output.
    """
    digest = hashlib.sha256(json.dumps(payload, default=str).encode()).hexdigest()[:12]
    marker = f"qms-{prefix}-{digest}-arrow"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}"'
        # No style attribute: the CSP forbids inline styles; app.css and print.css size it.
        f' width="{_f(width)}" height="{_f(height)}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6"'
        ' markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 Z" fill="#333333"/>'
        "</marker></defs>",
    ], marker


def _arrow(d: str, marker: str, width: float) -> str:
    return (
        f'<path d="{d}" fill="none" stroke="{STROKE}" stroke-width="{_f(width)}"'
        f' marker-end="url(#{marker})"/>'
    )


def five_whys_svg(
    problem: str,
    whys: list[str],
    root_causes: set[int] | frozenset[int] = frozenset(),
    *,
    why_label: str = "¿Por qué?",
    root_label: str = "Causa raíz",
) -> Markup:
    """The problem on top, each answer below it joined by a "why N" arrow; roots highlighted."""
    texts = [_clean(problem), *(_clean(why) for why in whys)]
    roots = {i + 1 for i in root_causes if 0 <= i < len(whys)}  # positions in `texts`
    boxes = []  # (lines, top, height) per text
    y = float(MARGIN)
    for pos, text in enumerate(texts):
        width = (WHY_W - 24) * (BOLD_W if pos == 0 else 1)
        lines = _wrap(text, width, FONT_SIZE, WHY_MAX_LINES)
        height = max(40.0, 20 + len(lines) * LINE_H + (TAG_H + 6 if pos in roots else 0))
        boxes.append((lines, y, height))
        y += height + WHY_GAP
    height = y - WHY_GAP + MARGIN
    width = WHY_W + 2 * MARGIN
    cx = width / 2
    title = " → ".join(texts)
    payload = ["5why", texts, sorted(roots), why_label, root_label]
    out, marker = _open_svg("why", payload, width, height, title)
    label = _clean(why_label)
    tag = _wrap(_clean(root_label), WHY_W - 40, SMALL_SIZE, 1)[0]
    for pos, (lines, top, box_h) in enumerate(boxes):
        root = pos in roots
        key = "problem" if pos == 0 else f"why-{pos - 1}"
        out.append(f'<g data-node="{key}"' + (' data-root="true">' if root else ">"))
        if pos == 0:
            out.append(_rect(MARGIN, top, WHY_W, box_h, "#e8f0fe", STROKE, 1.5))
        elif root:
            out.append(_rect(MARGIN, top, WHY_W, box_h, ROOT_FILL, ROOT_STROKE, 3))
        else:
            out.append(_rect(MARGIN, top, WHY_W, box_h, "#ffffff", STROKE, 1.2))
        text_top = top
        if root:  # a small filled tag in the top left corner, above the text
            tag_w = len(tag) * 0.65 * SMALL_SIZE + 12  # bold glyphs, estimated generously
            out.append(_rect(MARGIN + 8, top + 6, tag_w, TAG_H, ROOT_STROKE, ROOT_STROKE, 1))
            out.append(_text(MARGIN + 14, top + 18, tag, SMALL_SIZE, "start", "#ffffff", True))
            text_top += TAG_H + 6
        block = len(lines) * LINE_H
        baseline = text_top + (top + box_h - text_top) / 2 - block / 2 + 11
        fill = ROOT_STROKE if root else "#111111"
        for line in lines:
            out.append(_text(cx, baseline, line, FONT_SIZE, fill=fill, bold=pos == 0 or root))
            baseline += LINE_H
        out.append("</g>")
        if pos + 1 < len(boxes):
            y0, y1 = top + box_h, boxes[pos + 1][1]
            out.append(_arrow(f"M{_f(cx)},{_f(y0)} V{_f(y1)}", marker, 1.5))
            arrow_text = _wrap(f"{label} {pos + 1}", WHY_W / 2 - 16, SMALL_SIZE, 1)[0]
            out.append(_text(cx + 8, (y0 + y1) / 2 + 4, arrow_text, SMALL_SIZE, "start", "#555555"))
    out.append("</svg>")
    return Markup("\n".join(out))  # noqa: S704 (every text and attribute escaped above)


def _causes(
    causes: Mapping[str, Sequence[str]], selected: Collection[tuple[str, int]], key: str
) -> list[tuple[int, list[str], bool]]:
    """The category's non-blank causes as (original index, wrapped lines, selected)."""
    found = []
    for index, cause in enumerate(causes.get(key) or ()):
        text = _clean(cause)
        if text:
            chosen = (key, index) in selected
            width = CAUSE_W * (BOLD_W if chosen else 1)
            found.append((index, _wrap(text, width, SMALL_SIZE, CAUSE_LINES), chosen))
    return found


def _slot(lines: list[str]) -> float:
    return len(lines) * SMALL_LINE_H + 10


def ishikawa_svg(
    problem: str,
    causes: dict[str, list[str]],
    selected: set[tuple[str, int]] | frozenset[tuple[str, int]] = frozenset(),
    *,
    labels: dict[str, str] | None = None,
) -> Markup:
    """A fishbone: six category bones with their causes, the problem as the head on the right."""
    names = DEFAULT_LABELS | (labels or {})
    listed = {key: _causes(causes, selected, key) for key in CATEGORIES}
    head = _wrap(_clean(problem), (HEAD_W - 20) * BOLD_W, FONT_SIZE, WHY_MAX_LINES)
    head_h = max(48.0, 20 + len(head) * LINE_H)

    def depth(keys: Sequence[str]) -> float:
        need = max(sum(_slot(lines) for _, lines, _ in listed[key]) for key in keys)
        # The head box must stay clear of the category labels at the bones' ends.
        return max(float(MIN_BONE), SPINE_PAD + need + END_PAD, head_h / 2 + 6)

    top_h, bottom_h = depth(CATEGORIES[:3]), depth(CATEGORIES[3:])
    top_run, bottom_run = min(SLANT * top_h, MAX_RUN), min(SLANT * bottom_h, MAX_RUN)
    spine_y = MARGIN + LABEL_H + top_h
    height = spine_y + bottom_h + LABEL_H + MARGIN
    first_join = MARGIN + COL_W + max(top_run, bottom_run)
    head_x = first_join + 2 * COL_W + 36
    width = head_x + HEAD_W + MARGIN

    clean_names = {key: _clean(names.get(key, key)) for key in CATEGORIES}
    summary = "; ".join(
        f"{clean_names[key]}: " + ", ".join(" ".join(lines) for _, lines, _ in listed[key])
        for key in CATEGORIES
        if listed[key]
    )
    title = " ← ".join(part for part in (_clean(problem), summary) if part)
    payload = ["ishikawa", _clean(problem), listed, clean_names]
    out, marker = _open_svg("ishikawa", payload, width, height, title)
    out.append(_arrow(f"M{_f(MARGIN)},{_f(spine_y)} H{_f(head_x)}", marker, 3))
    out.append('<g data-node="problem">')
    out.append(_rect(head_x, spine_y - head_h / 2, HEAD_W, head_h, "#fff8e1", STROKE, 1.5))
    baseline = spine_y - len(head) * LINE_H / 2 + 11
    for line in head:
        out.append(_text(head_x + HEAD_W / 2, baseline, line, FONT_SIZE, bold=True))
        baseline += LINE_H
    out.append("</g>")

    for n, key in enumerate(CATEGORIES):
        above = n < 3
        bone_h, run = (top_h, top_run) if above else (bottom_h, bottom_run)
        join_x = first_join + (n % 3) * COL_W
        end_y = spine_y - bone_h if above else spine_y + bone_h
        end_x = join_x - run
        out.append(f'<g data-category="{key}">')
        out.append(
            f'<line x1="{_f(end_x)}" y1="{_f(end_y)}" x2="{_f(join_x)}" y2="{_f(spine_y)}"'
            f' stroke="{STROKE}" stroke-width="2"/>'
        )
        label_y = end_y - LABEL_H if above else end_y
        out.append(
            _rect(end_x - (COL_W - 20) / 2, label_y, COL_W - 20, LABEL_H, "#e8f0fe", STROKE, 1)
        )
        label = _wrap(clean_names[key], (COL_W - 36) * BOLD_W, 11, 1)[0]
        out.append(_text(end_x, label_y + 16, label, 11, bold=True))
        # Causes read top to bottom: from the label down above the spine, from the spine below.
        cursor = end_y + END_PAD if above else spine_y + SPINE_PAD
        for index, lines, chosen in listed[key]:
            slot = _slot(lines)
            y = cursor + slot / 2
            cursor += slot
            bone_x = join_x - run * abs(spine_y - y) / bone_h
            color = ROOT_STROKE if chosen else "#333333"
            flag = ' data-selected="true"' if chosen else ""
            out.append(f'<g data-cause="{key}:{index}"{flag}>')
            out.append(
                f'<line x1="{_f(bone_x - TICK)}" y1="{_f(y)}" x2="{_f(bone_x)}" y2="{_f(y)}"'
                f' stroke="{color}" stroke-width="{"2" if chosen else "1"}"/>'
            )
            if chosen:  # a diamond at the tick's outer end
                mx = bone_x - TICK
                corners = [(mx - 4, y), (mx, y - 4), (mx + 4, y), (mx, y + 4)]
                points = " ".join(f"{_f(px)},{_f(py)}" for px, py in corners)
                out.append(f'<polygon points="{points}" fill="{ROOT_STROKE}"/>')
            baseline = y - len(lines) * SMALL_LINE_H / 2 + 9
            for line in lines:
                out.append(
                    _text(bone_x - TEXT_GAP, baseline, line, SMALL_SIZE, "end", color, chosen)
                )
                baseline += SMALL_LINE_H
            out.append("</g>")
        out.append("</g>")
    out.append("</svg>")
    return Markup("\n".join(out))  # noqa: S704 (every text and attribute escaped above)
