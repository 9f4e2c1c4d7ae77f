"""A long procedure's flowchart cut into page-sized parts: an SVG never breaks across pages.

Each part is drawn by `steps_flowchart`; a jump out of a part ends in a connector naming the
step it leads to, and each part starts "from step N" and ends "to step M".
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from qms.documents.flowchart import (
    GAP,
    MARGIN,
    TERM_H,
    jump_targets,
    outside_connectors,
    step_height,
    steps_flowchart,
)


def _outside_targets(chunk: list[dict[str, Any]]) -> int:
    ids = {str(step["id"]) for step in chunk}
    return len(outside_connectors(chunk, {t for t in jump_targets(chunk) if t not in ids}))


def _split(steps: list[dict[str, Any]], max_height: float) -> list[list[dict[str, Any]]]:
    """Consecutive runs of steps whose drawing, with its terminators and the connectors of
    its jumps out of the run, fits in max_height."""
    terminator = TERM_H + GAP
    chunks: list[list[dict[str, Any]]] = [[]]
    used = 0.0
    for step in steps:
        height = step_height(step) + GAP
        candidate = [*chunks[-1], step]
        connectors = _outside_targets(candidate)
        if chunks[-1] and used + height + (2 + connectors) * terminator + 2 * MARGIN > max_height:
            chunks.append([])
            used = 0.0
        chunks[-1].append(step)
        used += height
    return chunks


def steps_flowchart_parts(
    steps: list[dict[str, Any]],
    *,
    max_height: float = 800.0,
    continued_from: str = "← %s",
    continues_at: str = "→ %s",
    **labels: str,
) -> list[Markup]:
    """The chart cut into parts no taller than `max_height` (a printed page: an SVG never
    breaks across pages); a jump between parts ends in a connector naming its step."""
    if not steps:
        return []
    chunks = _split(steps, max_height)
    parts = []
    for k, chunk in enumerate(chunks):
        # A jump to the next part's first step simply goes to this part's end ("to step N").
        ids = {str(step["id"]) for step in chunk}
        if k < len(chunks) - 1:
            ids.add(str(chunks[k + 1][0]["id"]))
        outside = [str(step["id"]) for step in steps if str(step["id"]) not in ids]
        start = labels.get("start_label", "Inicio")
        end = labels.get("end_label", "Fin")
        if k > 0:
            start = continued_from % chunks[k - 1][-1]["id"]
        if k < len(chunks) - 1:
            end = continues_at % chunks[k + 1][0]["id"]
        parts.append(
            steps_flowchart(
                chunk,
                start_label=start,
                end_label=end,
                yes_label=labels.get("yes_label", "Sí"),
                no_label=labels.get("no_label", "No"),
                outside=outside,
                connector_label=continues_at,
            )
        )
    return parts
