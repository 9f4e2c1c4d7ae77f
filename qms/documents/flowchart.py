"""Procedure steps drawn as a printable inline-SVG flowchart (one column, side lanes for jumps).

Only plain SVG shapes, text and a marker are used so WeasyPrint prints it the same as browsers.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from markupsafe import Markup, escape

from qms.core.svg_text import CHAR_W
from qms.core.svg_text import clean as _clean
from qms.core.svg_text import num as _f
from qms.core.svg_text import text_element as _text
from qms.core.svg_text import wrap as _wrap

FONT_SIZE = 12
SMALL_SIZE = 10
NOTE_SIZE = 9
LINE_H = 15
MAX_LINES = 4
MARGIN = 16
GAP = 36  # vertical space between nodes: room for an arrowhead and a yes/no label
BOX_W = 220
DIAMOND_W = 260
COL_W = max(BOX_W, DIAMOND_W)
TERM_W, TERM_H = 140, 32
LANE_PAD = 24  # first lane keeps clear of the column and of exit labels
LANE_GAP = 16
NOTE_H = 16
NOTE_GAP = 8
STROKE = "#333333"


@dataclass
class _Node:
    kind: str  # "terminator", "step" or "decision"
    key: str
    lines: list[str]
    who: str = ""
    note: str = ""
    w: float = 0.0
    h: float = 0.0
    top: float = 0.0

    @property
    def cy(self) -> float:
        return self.top + self.h / 2

    @property
    def bottom(self) -> float:
        return self.top + self.h

    def side_x(self, cx: float, dy: float, side: int) -> float:
        """X where a horizontal line at cy + dy meets the outline on the given side (+1/-1)."""
        half = self.w / 2
        if self.kind == "decision":
            reach = half * (1 - abs(dy) / (self.h / 2))
        elif self.kind == "terminator":
            radius = self.h / 2
            reach = half - radius + max(radius * radius - dy * dy, 0.0) ** 0.5
        else:
            reach = half
        return cx + side * reach


@dataclass
class _Route:
    src: int
    dst: int
    label: str
    side: int = 0  # 0 straight down, +1 right lane, -1 left lane
    lane: int = 0
    dy_in: float = 0.0


def outside_connectors(steps: list[dict[str, Any]], outside: Collection[str]) -> list[str]:
    """Ids of steps drawn on another part of the chart that this part's decisions jump to."""
    return list(dict.fromkeys(t for t in jump_targets(steps) if t in outside))


def _edge_indices(
    steps: list[dict[str, Any]], outside: Collection[str] = ()
) -> list[tuple[int, int, str]]:
    """Arrows between node positions: 0 is start, i + 1 is steps[i], len(steps) + 1 is end,
    then one connector per step of another part that a decision here jumps to."""
    if not steps:
        return []
    end = len(steps) + 1
    position = {str(step["id"]): i for i, step in enumerate(steps, start=1)}
    position |= {sid: end + k for k, sid in enumerate(outside_connectors(steps, outside), start=1)}
    edges = [(0, 1, "")]
    for i, step in enumerate(steps, start=1):
        decision = step.get("decision")
        if decision:
            for label in ("yes", "no"):
                edges.append((i, position.get(str(decision.get(label)), end), label))
        else:
            edges.append((i, i + 1, ""))
    return edges


def flowchart_edges(
    steps: list[dict[str, Any]], outside: Collection[str] = ()
) -> list[tuple[str, str, str]]:
    """Every arrow as (from_id, to_id, label); terminators are "start"/"end", connectors
    "to:<id>", labels ""/yes/no."""
    keys = ["start", *(str(step["id"]) for step in steps), "end"]
    keys += [f"to:{sid}" for sid in outside_connectors(steps, outside)]
    return [(keys[src], keys[dst], label) for src, dst, label in _edge_indices(steps, outside)]


def _build_nodes(
    steps: list[dict[str, Any]],
    start_label: str,
    end_label: str,
    connectors: Sequence[tuple[str, str]] = (),
) -> list[_Node]:
    def terminator(key: str, label: str) -> _Node:
        return _Node("terminator", key, _wrap(_clean(label), TERM_W - 24, FONT_SIZE, 1), w=TERM_W)

    nodes = [terminator("start", start_label)]
    for step in steps:
        sid = _clean(step.get("id"))
        note = _wrap(_clean(step.get("form_code")), 130, NOTE_SIZE, 1)[0]
        decision = step.get("decision")
        if decision:
            text = _clean(decision.get("question")) or _clean(step.get("task"))
            # A block of half the diamond's width fits inside it when its height is at most half.
            lines = _wrap(f"{sid}. {text}", DIAMOND_W / 2, FONT_SIZE, MAX_LINES)
            height = max(64.0, 2 * (len(lines) * LINE_H + 12))
            nodes.append(_Node("decision", sid, lines, note=note, w=DIAMOND_W, h=height))
        else:
            lines = _wrap(f"{sid}. {_clean(step.get('task'))}", BOX_W - 20, FONT_SIZE, MAX_LINES)
            who = _wrap(_clean(step.get("who")), BOX_W - 20, SMALL_SIZE, 1)[0]
            height = max(44.0, 20 + len(lines) * LINE_H + (13 if who else 0))
            nodes.append(_Node("step", sid, lines, who=who, note=note, w=BOX_W, h=height))
    nodes.append(terminator("end", end_label))
    nodes.extend(terminator(f"to:{sid}", label) for sid, label in connectors)
    for node in nodes:
        if node.kind == "terminator":
            node.h = TERM_H
    return nodes


def _plan_routes(edges: list[tuple[int, int, str]], nodes: list[_Node]) -> list[_Route]:
    """Pick straight or side-lane routing, give every side edge its own lane, spread arrivals."""
    routes = [_Route(*edge) for edge in edges]
    next_side = 1
    for src, group in groupby(routes, key=lambda route: route.src):
        side_routes = []
        straight_used = False
        for route in group:
            if route.dst == src + 1 and not straight_used:
                straight_used = True
            else:
                side_routes.append(route)
        if len(side_routes) == 2:  # both branches jump: one per side so they never share a lane
            side_routes[0].side, side_routes[1].side = 1, -1
        elif side_routes:
            side_routes[0].side = next_side
            next_side = -next_side
    for side in (1, -1):
        on_side = [route for route in routes if route.side == side]
        # Short jumps take the inner lanes so long ones wrap around them with fewer crossings.
        for lane, route in enumerate(sorted(on_side, key=lambda r: abs(r.dst - r.src))):
            route.lane = lane
        arrivals: defaultdict[int, int] = defaultdict(int)
        for route in on_side:
            target = nodes[route.dst]
            route.dy_in = min(6.0 + 8.0 * arrivals[route.dst], target.h / 2 - 4)
            arrivals[route.dst] += 1
    return routes


def _draw_node(node: _Node, cx: float, note_x: float) -> list[str]:
    out = [f'<g data-node="{escape(node.key)}">']
    left = cx - node.w / 2
    box = f'fill="{{}}" stroke="{STROKE}" stroke-width="1.2"'
    if node.kind == "terminator":
        out.append(
            f'<rect x="{_f(left)}" y="{_f(node.top)}" width="{_f(node.w)}" height="{_f(node.h)}"'
            f' rx="{_f(node.h / 2)}" {box.format("#e8f0fe")}/>'
        )
    elif node.kind == "decision":
        points = [(cx, node.top), (cx + node.w / 2, node.cy), (cx, node.bottom), (left, node.cy)]
        coords = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
        out.append(f'<polygon points="{coords}" {box.format("#fff8e1")}/>')
    else:
        out.append(
            f'<rect x="{_f(left)}" y="{_f(node.top)}" width="{_f(node.w)}" height="{_f(node.h)}"'
            f' rx="3" {box.format("#ffffff")}/>'
        )
    block = len(node.lines) * LINE_H + (13 if node.who else 0)
    baseline = node.cy - block / 2 + 11  # 11 px: DejaVu ascent at 12 px, centres the block
    for line in node.lines:
        out.append(_text(cx, baseline, line, FONT_SIZE))
        baseline += LINE_H
    if node.who:
        out.append(_text(cx, baseline, node.who, SMALL_SIZE, fill="#555555"))
    if node.note:
        note_w = len(node.note) * CHAR_W * NOTE_SIZE + 12
        y0, y1 = node.top, node.top + NOTE_H
        anchor_x = node.side_x(cx, y0 + NOTE_H / 2 - node.cy, 1)
        out.append(
            f'<line x1="{_f(anchor_x)}" y1="{_f(y0 + NOTE_H / 2)}" x2="{_f(note_x)}"'
            f' y2="{_f(y0 + NOTE_H / 2)}" stroke="#888888" stroke-dasharray="2,2"/>'
        )
        # Document symbol: a box whose bottom edge waves, as in ISO 5807 flowcharts.
        out.append(
            f'<path d="M{_f(note_x)},{_f(y0)} h{_f(note_w)} V{_f(y1)}'
            f' q{_f(-note_w / 4)},4 {_f(-note_w / 2)},0 t{_f(-note_w / 2)},0 Z"'
            f' fill="#f5f5f5" stroke="#666666" stroke-width="0.8"/>'
        )
        out.append(_text(note_x + 6, y0 + 11, node.note, NOTE_SIZE, "start"))
    out.append("</g>")
    return out


def steps_flowchart(
    steps: list[dict[str, Any]],
    *,
    start_label: str = "Inicio",
    end_label: str = "Fin",
    yes_label: str = "Sí",
    no_label: str = "No",
    outside: Collection[str] = (),
    connector_label: str = "→ %s",
) -> Markup:
    """The steps as a self-contained `<svg>` flowchart; empty Markup for no steps.

    `outside`: ids of steps drawn in another part of the chart; a jump to one ends in a
    connector node (`connector_label % id`) below the part's end.
    """
    if not steps:
        return Markup("")
    connectors = [(sid, connector_label % sid) for sid in outside_connectors(steps, outside)]
    nodes = _build_nodes(steps, start_label, end_label, connectors)
    y = float(MARGIN)
    for node in nodes:
        node.top = y
        y += node.h + GAP
    height = y - GAP + MARGIN
    routes = _plan_routes(_edge_indices(steps, outside), nodes)

    def lanes_width(side: int) -> float:
        count = sum(1 for route in routes if route.side == side)
        return LANE_PAD + (count - 1) * LANE_GAP if count else 0.0

    note_area = max((len(n.note) * CHAR_W * NOTE_SIZE + 12 for n in nodes if n.note), default=0)
    note_area = note_area + NOTE_GAP if note_area else 0.0
    cx = MARGIN + lanes_width(-1) + COL_W / 2
    width = cx + COL_W / 2 + note_area + lanes_width(1) + MARGIN
    note_x = cx + COL_W / 2 + NOTE_GAP

    # Two charts on one page must not share a marker id, and equal input must give equal output.
    payload = json.dumps(
        [steps, start_label, end_label, yes_label, no_label, connectors], default=str
    )
    marker = "qms-flow-" + hashlib.sha256(payload.encode()).hexdigest()[:12] + "-arrow"
    words = {"yes": yes_label, "no": no_label}
    title = " → ".join(
        [
            _clean(start_label),
            *(" ".join(n.lines) for n in nodes[1 : len(steps) + 1]),
            _clean(end_label),
        ]
    )

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}"'
        # No style attribute: the CSP forbids inline styles; app.css and print.css size it.
        f' width="{_f(width)}" height="{_f(height)}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6"'
        ' markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 Z" fill="#333333"/>'
        "</marker></defs>",
    ]
    for node in nodes:
        out.extend(_draw_node(node, cx, note_x))
    for route in routes:
        src, dst = nodes[route.src], nodes[route.dst]
        if route.side == 0:
            d = f"M{_f(cx)},{_f(src.bottom)} V{_f(dst.top)}"
            label_x, label_y, anchor = cx + 6, src.bottom + 14, "start"
        else:
            if route.side == 1:
                lane_x = cx + COL_W / 2 + note_area + LANE_PAD + route.lane * LANE_GAP
            else:
                lane_x = cx - COL_W / 2 - LANE_PAD - route.lane * LANE_GAP
            exit_x = src.side_x(cx, 0.0, route.side)
            entry_y = dst.cy + route.dy_in
            entry_x = dst.side_x(cx, route.dy_in, route.side)
            d = f"M{_f(exit_x)},{_f(src.cy)} H{_f(lane_x)} V{_f(entry_y)} H{_f(entry_x)}"
            label_x, label_y = exit_x + 4 * route.side, src.cy - 4
            anchor = "start" if route.side == 1 else "end"
        out.append(
            f'<path d="{d}" fill="none" stroke="{STROKE}" stroke-width="1.5"'
            f' marker-end="url(#{marker})" data-from="{escape(src.key)}"'
            f' data-to="{escape(dst.key)}" data-label="{route.label}"/>'
        )
        if route.label:
            out.append(_text(label_x, label_y, _clean(words[route.label]), SMALL_SIZE, anchor))
    out.append("</svg>")
    return Markup("\n".join(out))  # noqa: S704 (every text and attribute escaped above)


def jump_targets(steps: list[dict[str, Any]]) -> list[str]:
    """Every yes/no target id of the decisions among the steps, in order."""
    return [
        str(step["decision"].get(label))
        for step in steps
        if step.get("decision")
        for label in ("yes", "no")
    ]


def step_height(step: dict[str, Any]) -> float:
    """Height of a step's node as drawn, without the gap below it."""
    return _build_nodes([step], "", "")[1].h
