"""Root-cause diagrams: five whys and Ishikawa as escaped, deterministic, printable inline SVG."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET

from markupsafe import Markup

from qms.capa.diagrams import (
    CATEGORIES,
    DEFAULT_LABELS,
    ROOT_FILL,
    ROOT_STROKE,
    five_whys_svg,
    ishikawa_svg,
)

NS = "{http://www.w3.org/2000/svg}"

WHYS = [
    "El motor se sobrecalienta",
    "Falta de lubricación",
    "No hay plan de mantenimiento preventivo",
]
CAUSES = {
    "method": ["Instrucción de trabajo desactualizada", "Sin verificación en proceso"],
    "manpower": ["Operario nuevo sin capacitación"],
    "machinery": [],
    "materials": ["Lote fuera de especificación"],
    "measurement": ["Calibrador vencido", "Método de medición no definido"],
    "environment": ["Temperatura alta en la planta"],
}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted XML)


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{NS}text")]


def group(root: ET.Element, attr: str, value: str) -> ET.Element:
    found = [g for g in root.iter(f"{NS}g") if g.get(attr) == value]
    assert len(found) == 1, value
    return found[0]


def rect(element: ET.Element) -> ET.Element:
    found = element.find(f"{NS}rect")
    assert found is not None
    return found


def arrows(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{NS}path") if p.get("marker-end")]


def spine(root: ET.Element) -> float:
    """Y of the fishbone's spine, its only arrow: "M<x>,<y> H<x>"."""
    (path,) = arrows(root)
    return float(path.get("d", "").split(",")[1].split()[0])


# Five whys.


def test_five_whys_draws_the_problem_and_one_box_per_answer_in_order() -> None:
    svg = five_whys_svg("La máquina se detiene", WHYS)
    assert isinstance(svg, Markup)
    root = parse(svg)
    keys = [g.get("data-node") for g in root.iter(f"{NS}g")]
    assert keys == ["problem", "why-0", "why-1", "why-2"]
    assert texts(group(root, "data-node", "problem")) == ["La máquina se detiene"]
    for i, why in enumerate(WHYS):
        assert texts(group(root, "data-node", f"why-{i}")) == [why]
    tops = [float(rect(g).get("y", "0")) for g in root.iter(f"{NS}g")]
    assert tops == sorted(set(tops))  # each box below the previous one
    assert root.get("role") == "img"
    assert root.get("style") is None  # the CSP refuses inline styles
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    title = root.find(f"{NS}title")
    assert title is not None and "La máquina se detiene" in (title.text or "")
    assert "Falta de lubricación" in (root.get("aria-label") or "")


def test_five_whys_arrows_are_labelled_with_numbered_whys() -> None:
    root = parse(five_whys_svg("P", WHYS, why_label="Why?"))
    assert len(arrows(root)) == len(WHYS)
    labels = [t for t in texts(root) if t.startswith("Why?")]
    assert labels == ["Why? 1", "Why? 2", "Why? 3"]
    marker = root.find(f"{NS}defs/{NS}marker")
    assert marker is not None
    assert {p.get("marker-end") for p in arrows(root)} == {f"url(#{marker.get('id')})"}


def test_five_whys_with_no_answers_is_just_the_problem() -> None:
    root = parse(five_whys_svg("Solo el problema", []))
    assert [g.get("data-node") for g in root.iter(f"{NS}g")] == ["problem"]
    assert arrows(root) == []
    assert texts(root) == ["Solo el problema"]


def test_five_whys_highlights_only_the_root_causes() -> None:
    root = parse(five_whys_svg("P", WHYS, {2, 7, -1}, root_label="Root cause"))
    highlighted = group(root, "data-node", "why-2")
    assert highlighted.get("data-root") == "true"
    box = rect(highlighted)
    assert (box.get("stroke"), box.get("fill")) == (ROOT_STROKE, ROOT_FILL)
    assert float(box.get("stroke-width", "0")) > 2
    assert "Root cause" in texts(highlighted)
    for key in ("problem", "why-0", "why-1"):
        plain = group(root, "data-node", key)
        assert plain.get("data-root") is None
        assert rect(plain).get("stroke") != ROOT_STROKE
        assert "Root cause" not in texts(plain)
    assert texts(root).count("Root cause") == 1  # out-of-range indices are ignored


def test_five_whys_escapes_text_and_drops_characters_invalid_in_xml() -> None:
    svg = five_whys_svg("<script>alert(1)</script> & co\x00\x1f", ["a < b & c"], {0})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "&amp; co" in svg
    root = parse(svg)  # would raise on a raw "&", "<" or a control character
    assert texts(group(root, "data-node", "problem")) == ["<script>alert(1)</script> & co"]
    assert "a < b & c" in texts(group(root, "data-node", "why-0"))
    assert root.find(f".//{NS}script") is None


def test_five_whys_wraps_long_text_to_five_lines_at_most() -> None:
    long_why = " ".join(["palabra"] * 20)
    huge_why = " ".join(["palabra"] * 200)
    root = parse(five_whys_svg("P", [long_why, huge_why]))
    lines = texts(group(root, "data-node", "why-0"))
    assert len(lines) > 1
    assert " ".join(lines) == long_why
    huge = texts(group(root, "data-node", "why-1"))
    assert len(huge) == 5
    assert huge[-1].endswith("…")
    ys = [float(t.get("y", "0")) for t in group(root, "data-node", "why-1").iter(f"{NS}text")]
    assert ys == sorted(set(ys))
    box = rect(group(root, "data-node", "why-1"))
    top, height = float(box.get("y", "0")), float(box.get("height", "0"))
    assert top < ys[0] - 10 and ys[-1] < top + height  # the text stays inside its box


def test_five_whys_is_deterministic_and_depends_on_the_input() -> None:
    first = five_whys_svg("P", WHYS, {1})
    assert first == five_whys_svg("P", list(WHYS), frozenset({1}))
    assert first != five_whys_svg("P", WHYS, {2})
    assert first != five_whys_svg("Q", WHYS, {1})


def test_five_whys_uses_only_printable_svg() -> None:
    allowed = {"svg", "title", "defs", "marker", "g", "rect", "line", "path", "polygon", "text"}
    for svg in (five_whys_svg("P", WHYS, {0}), ishikawa_svg("P", CAUSES, {("method", 0)})):
        root = parse(svg)
        assert {el.tag.removeprefix(NS) for el in root.iter()} <= allowed
        attrs = {name for el in root.iter() for name in el.attrib}
        assert not attrs & {"class", "href", "onload", "onclick"}
        fonts = {el.get("font-family") for el in root.iter(f"{NS}text")}
        assert fonts == {"DejaVu Sans, sans-serif"}


# Ishikawa.


def test_ishikawa_draws_six_labelled_bones_in_order() -> None:
    root = parse(ishikawa_svg("Producto no conforme", CAUSES))
    assert CATEGORIES == (
        "method",
        "manpower",
        "machinery",
        "materials",
        "measurement",
        "environment",
    )
    bones = [g.get("data-category") for g in root.iter(f"{NS}g") if g.get("data-category")]
    assert bones == list(CATEGORIES)
    for key in CATEGORIES:
        assert DEFAULT_LABELS[key] in texts(group(root, "data-category", key))
    assert texts(group(root, "data-node", "problem")) == ["Producto no conforme"]
    spine_y = spine(root)
    tops = [float(rect(group(root, "data-category", k)).get("y", "0")) for k in CATEGORIES]
    assert all(y < spine_y for y in tops[:3]) and all(y > spine_y for y in tops[3:])
    head = rect(group(root, "data-node", "problem"))
    head_y, head_h = float(head.get("y", "0")), float(head.get("height", "0"))
    assert head_y < spine_y < head_y + head_h  # the spine points at the head


def test_ishikawa_labels_can_be_overridden() -> None:
    root = parse(ishikawa_svg("P", CAUSES, labels={"method": "Method", "environment": "Milieu"}))
    assert "Method" in texts(group(root, "data-category", "method"))
    assert "Milieu" in texts(group(root, "data-category", "environment"))
    assert "Método" not in texts(root)
    assert "Maquinaria" in texts(group(root, "data-category", "machinery"))  # default kept


def test_ishikawa_lists_each_cause_on_its_bone() -> None:
    root = parse(ishikawa_svg("P", CAUSES))
    for key, causes in CAUSES.items():
        bone = group(root, "data-category", key)
        for index, cause in enumerate(causes):
            assert " ".join(texts(group(bone, "data-cause", f"{key}:{index}"))) == cause
    assert len([g for g in root.iter(f"{NS}g") if g.get("data-cause")]) == 7


def test_ishikawa_highlights_only_the_selected_causes() -> None:
    root = parse(ishikawa_svg("P", CAUSES, {("measurement", 0), ("method", 9), ("nope", 0)}))
    chosen = group(root, "data-cause", "measurement:0")
    assert chosen.get("data-selected") == "true"
    text = chosen.find(f"{NS}text")
    assert text is not None
    assert (text.get("fill"), text.get("font-weight")) == (ROOT_STROKE, "bold")
    assert chosen.find(f"{NS}polygon") is not None
    other = group(root, "data-cause", "measurement:1")
    assert other.get("data-selected") is None
    other_text = other.find(f"{NS}text")
    assert other_text is not None
    assert other_text.get("fill") != ROOT_STROKE and other_text.get("font-weight") is None
    assert other.find(f"{NS}polygon") is None
    assert [g.get("data-cause") for g in root.iter(f"{NS}g") if g.get("data-selected")] == [
        "measurement:0"
    ]


def test_ishikawa_ignores_unknown_categories_and_shows_empty_ones() -> None:
    root = parse(ishikawa_svg("P", {"money": ["Presupuesto"], "method": ["Uno"]}))
    assert "Presupuesto" not in texts(root)
    assert "Uno" in texts(root)
    bones = [g.get("data-category") for g in root.iter(f"{NS}g") if g.get("data-category")]
    assert bones == list(CATEGORIES)
    empty = parse(ishikawa_svg("P", {}))
    for key in CATEGORIES:
        bone = group(empty, "data-category", key)
        assert texts(bone) == [DEFAULT_LABELS[key]]
        assert bone.find(f"{NS}line") is not None


def _cause_boxes(root: ET.Element) -> list[tuple[float, float, float]]:
    """(x_end, y_top, y_bottom) of each cause's text block."""
    boxes = []
    for g in root.iter(f"{NS}g"):
        if g.get("data-cause"):
            ys = [float(t.get("y", "0")) for t in g.iter(f"{NS}text")]
            x = float(next(g.iter(f"{NS}text")).get("x", "0"))
            boxes.append((x, ys[0] - 10, ys[-1] + 3))
    return boxes


def test_ishikawa_grows_with_the_causes_without_overlaps() -> None:
    many = {key: [f"Causa {key} número {i} con más texto" for i in range(8)] for key in CATEGORIES}
    small = parse(ishikawa_svg("P", {"method": ["Uno"]}))
    root = parse(ishikawa_svg("P", many))
    height = float(root.get("height", "0"))
    assert height > float(small.get("height", "0")) + 200
    spine_y = spine(root)
    for key in CATEGORIES:
        blocks = sorted(_cause_boxes(group(root, "data-category", key)), key=lambda b: b[1])
        assert len(blocks) == 8
        for (_, _, bottom), (_, top, _) in itertools.pairwise(blocks):
            assert bottom < top  # causes on one bone never overlap
        assert all(top > 0 and bottom < height for _, top, bottom in blocks)
        assert all(not top < spine_y < bottom for _, top, bottom in blocks)  # clear of the spine


def test_ishikawa_wraps_long_causes_to_two_lines() -> None:
    long_cause = " ".join(["palabra"] * 60)
    root = parse(ishikawa_svg("P", {"materials": [long_cause, "Corta"]}))
    lines = texts(group(root, "data-cause", "materials:0"))
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert texts(group(root, "data-cause", "materials:1")) == ["Corta"]


def test_ishikawa_escapes_text() -> None:
    svg = ishikawa_svg(
        "<b>P</b> & Q",
        {"method": ["<script>x()</script>", "a & b\x0b"]},
        labels={"method": '"Mé<t>odo"'},
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert texts(group(root, "data-node", "problem")) == ["<b>P</b> & Q"]
    bone = group(root, "data-category", "method")
    assert texts(bone) == ['"Mé<t>odo"', "<script>x()</script>", "a & b"]
    assert root.find(f".//{NS}script") is None


def test_ishikawa_is_deterministic() -> None:
    first = ishikawa_svg("P", CAUSES, {("method", 1)})
    assert first == ishikawa_svg("P", dict(CAUSES), frozenset({("method", 1)}))
    assert first != ishikawa_svg("P", CAUSES, {("method", 0)})


def test_weasyprint_prints_both_diagrams() -> None:
    from pypdf import PdfReader
    from weasyprint import HTML

    fishbone = ishikawa_svg("Pieza rechazada", CAUSES, {("measurement", 0)})
    whys = five_whys_svg("Reclamo del cliente", ["Entrega tardía"], {0})
    html = f"<!doctype html><html><body><h1>Análisis</h1>{fishbone}{whys}</body></html>"
    pdf = HTML(string=html).write_pdf()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Pieza rechazada" in text
    assert "Calibrador vencido" in text
    assert "Reclamo del cliente" in text
    assert "Entrega tardía" in text
