"""The procedure flowchart: nodes, edges, escaping, wrapping and printing through WeasyPrint."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

from markupsafe import Markup

from qms.documents.flowchart import flowchart_edges, steps_flowchart
from qms.documents.flowchart_pages import steps_flowchart_parts

NS = "{http://www.w3.org/2000/svg}"


def step(sid: str, task: str, decision: dict[str, str] | None = None, **extra: str) -> dict:
    base: dict[str, Any] = {"id": sid, "task": task, "who": "", "how": "", "records": ""}
    return base | {"form_code": "", "decision": decision} | extra


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted XML)


def node(root: ET.Element, key: str) -> ET.Element:
    found = [g for g in root.iter(f"{NS}g") if g.get("data-node") == key]
    assert len(found) == 1, key
    return found[0]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{NS}text")]


LINEAR = [
    step("1", "Recibir la solicitud", who="Asistente", form_code="FO-AC-01"),
    step("2", "Revisar la solicitud", who="Líder"),
    step("3", "Archivar"),
]

WITH_DECISION = [
    step("1", "Recibir"),
    step("2", "Revisar", {"question": "¿Cumple?", "yes": "3", "no": "1"}),
    step("3", "Aprobar"),
    step("4", "Verificar", {"question": "", "yes": "6", "no": "2"}),
    step("5", "Escalar"),
    step("6", "Cerrar"),
]


def test_one_node_per_step_between_start_and_end() -> None:
    root = parse(steps_flowchart(LINEAR, start_label="Start", end_label="End"))
    keys = [g.get("data-node") for g in root.iter(f"{NS}g")]
    assert keys == ["start", "1", "2", "3", "end"]
    assert texts(node(root, "start")) == ["Start"]
    assert texts(node(root, "end")) == ["End"]
    assert texts(node(root, "1")) == ["1. Recibir la solicitud", "Asistente", "FO-AC-01"]
    assert texts(node(root, "2")) == ["2. Revisar la solicitud", "Líder"]
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    title = root.find(f"{NS}title")
    assert title is not None
    assert "Recibir la solicitud" in (title.text or "")
    assert "Start" in (root.get("aria-label") or "")


def test_linear_steps_chain_from_start_to_end() -> None:
    assert flowchart_edges(LINEAR) == [
        ("start", "1", ""),
        ("1", "2", ""),
        ("2", "3", ""),
        ("3", "end", ""),
    ]


def test_decision_is_a_diamond_with_labelled_yes_and_no_edges() -> None:
    edges = flowchart_edges(WITH_DECISION)
    from_two = [edge for edge in edges if edge[0] == "2"]
    assert from_two == [("2", "3", "yes"), ("2", "1", "no")]
    assert ("4", "6", "yes") in edges and ("4", "2", "no") in edges
    # A decision has no plain sequential arrow to the node below it.
    assert ("4", "5", "") not in edges

    root = parse(steps_flowchart(WITH_DECISION, yes_label="Yes", no_label="Nope"))
    assert len(node(root, "2").findall(f"{NS}polygon")) == 1
    assert not node(root, "3").findall(f"{NS}polygon")
    assert texts(node(root, "2")) == ["2. ¿Cumple?"]
    assert texts(node(root, "4")) == ["4. Verificar"]  # empty question falls back to the task
    paths = [p for p in root.iter(f"{NS}path") if p.get("data-from") == "2"]
    assert [(p.get("data-to"), p.get("data-label")) for p in paths] == [("3", "yes"), ("1", "no")]
    all_texts = texts(root)
    assert all_texts.count("Yes") == 2
    assert all_texts.count("Nope") == 2


def test_back_edge_goes_up_a_side_lane_and_jumps_do_not_share_lanes() -> None:
    assert ("2", "1", "no") in flowchart_edges(WITH_DECISION)
    root = parse(steps_flowchart(WITH_DECISION))
    paths = {(p.get("data-from"), p.get("data-to")): p.get("d", "") for p in root.iter(f"{NS}path")}
    assert paths[("2", "3")].count("V") == 1 and "H" not in paths[("2", "3")]  # straight down
    jumps = [paths[("2", "1")], paths[("4", "6")], paths[("4", "2")]]
    lane_xs = [d.split()[1] for d in jumps]  # "M x,y Hlane V... H..."
    assert all(x.startswith("H") for x in lane_xs)
    assert len(set(lane_xs)) == 3


def test_missing_decision_target_goes_to_end() -> None:
    steps = [step("1", "Hacer"), step("2", "¿Listo?", {"question": "", "yes": "9", "no": "1"})]
    assert flowchart_edges(steps)[-2:] == [("2", "end", "yes"), ("2", "1", "no")]


def test_text_is_escaped_and_svg_stays_well_formed() -> None:
    steps = [step("1", "<script>alert(1)</script> & co", who='"Jefe" <b>', form_code="A&B")]
    svg = str(steps_flowchart(steps, start_label="<i>", end_label="a & b"))
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "&amp; co" in svg
    root = parse(svg)
    assert not [el for el in root.iter() if el.tag.endswith(("script", "foreignObject", "b"))]
    assert "href" not in svg
    joined = " ".join(texts(root))
    assert "alert(1)" in joined and "& co" in joined and "A&B" in joined
    assert texts(node(root, "start")) == ["<i>"]


def test_control_characters_are_dropped() -> None:
    svg = str(steps_flowchart([step("1", "Tarea\x00 con\x0b control")]))
    assert "1. Tarea con control" in texts(parse(svg))


def test_empty_steps_give_empty_markup() -> None:
    result = steps_flowchart([])
    assert isinstance(result, Markup)
    assert result == ""
    assert flowchart_edges([]) == []


def test_output_is_deterministic_and_marker_id_depends_on_steps() -> None:
    first = steps_flowchart(WITH_DECISION)
    assert first == steps_flowchart([dict(s) for s in WITH_DECISION])
    root = parse(first)
    markers = list(root.iter(f"{NS}marker"))
    assert len(markers) == 1
    marker_id = markers[0].get("id")
    assert marker_id
    arrows = [p for p in root.iter(f"{NS}path") if p.get("data-from")]
    assert arrows and all(p.get("marker-end") == f"url(#{marker_id})" for p in arrows)
    other = parse(steps_flowchart(LINEAR))
    assert next(other.iter(f"{NS}marker")).get("id") != marker_id


def test_long_task_wraps_over_several_lines_with_ellipsis() -> None:
    medium = "Revisar la solicitud del cliente y comprobar que trae todos los anexos"
    huge = " ".join(["palabra"] * 80)
    root = parse(steps_flowchart([step("1", medium), step("2", huge)]))
    lines = texts(node(root, "1"))
    assert len(lines) >= 2
    assert " ".join(lines) == f"1. {medium}"
    huge_lines = texts(node(root, "2"))
    assert len(huge_lines) == 4
    assert huge_lines[-1].endswith("…")
    ys = [float(t.get("y", "0")) for t in node(root, "1").iter(f"{NS}text")]
    assert ys == sorted(set(ys))  # each line sits below the previous one


def test_weasyprint_prints_the_chart_text() -> None:
    from pypdf import PdfReader
    from weasyprint import HTML

    svg = steps_flowchart([*WITH_DECISION[:3], step("4", "Comunicar resultado")])
    html = f"<!doctype html><html><body><h1>Procedimiento</h1>{svg}</body></html>"
    pdf = HTML(string=html).write_pdf()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Comunicar resultado" in text
    assert "Inicio" in text


def _long_procedure(n: int = 30) -> list[dict]:
    steps = [
        {"id": str(i), "task": f"Tarea número {i}", "who": "Auxiliar", "decision": None}
        for i in range(1, n + 1)
    ]
    steps[1] = {"id": "2", "task": "", "decision": {"question": "¿Aplica?", "yes": "3", "no": "25"}}
    return steps


def test_a_long_chart_is_cut_into_page_sized_parts_joined_by_connectors():
    steps = _long_procedure()
    parts = steps_flowchart_parts(steps, max_height=700, continues_at="→ paso %s")
    assert len(parts) > 2
    heights = [float(parse(p).get("height")) for p in parts]
    assert max(heights) <= 700
    first = parse(parts[0])
    texts = " ".join(t.text or "" for t in first.iter(f"{NS}text"))
    assert "Inicio" in texts and "→ paso 25" in texts
    last_texts = " ".join(t.text or "" for t in parse(parts[-1]).iter(f"{NS}text"))
    assert "Fin" in last_texts and "Inicio" not in last_texts
    # Every step is drawn exactly once across the parts.
    drawn = [p for p in parts for sid in ("1", "30") if f">{sid}. Tarea número {sid}<" in str(p)]
    assert len(drawn) == 2


def test_a_jump_to_another_part_ends_in_a_connector_edge():
    steps = _long_procedure()
    edges = flowchart_edges(steps[:10], outside=[s["id"] for s in steps[10:]])
    assert ("2", "to:25", "no") in edges and ("2", "3", "yes") in edges
