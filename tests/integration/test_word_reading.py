"""Reading a .docx into the block model: the three real examples as organisations keep them in
Word (tests/word_examples.py), and the layouts they vary in."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.document import Document
from docx.oxml import OxmlElement
from docx.shared import Inches
from flask import Flask

from qms.demo.documents import CALL_FILE, CSC_FILE, PROCEDURE_FILE, examples_dir
from qms.demo.parsing import call_centre, customer_service, procedure
from qms.documents.block_fields import MAX_ROWS
from qms.documents.blocks import clean_blocks
from qms.word import notes
from qms.word.grids import grid_of
from qms.word.markdown import escape
from qms.word.metadata import parse_date, parse_number
from qms.word.parsed import Parsed
from qms.word.reading import read_bytes, read_docx
from qms.word.tables import free_tables
from tests.word_examples import EXPECTED, SIPOC_KEYS, example_docx

Block = dict[str, Any]


def _read(name: str) -> Parsed:
    return read_docx(docx.Document(io.BytesIO(example_docx(name))))


def _lines(name: str) -> list[str]:
    root = examples_dir()
    assert root is not None
    return (Path(root) / name).read_text(encoding="utf-8").splitlines()


def _only(parsed: Parsed, kind: str) -> Block:
    (block,) = [block for block in parsed.blocks if block["kind"] == kind]
    return block


def _cell_lines(text: str) -> str:
    """A cell as Word holds the example's text: its inline bullets one per line."""
    parts = [part.strip() for part in text.replace("\n", "*").split("*")]
    return "\n".join(part for part in parts if part)


def _saved(document: Document) -> Parsed:
    out = io.BytesIO()
    document.save(out)
    return read_docx(docx.Document(io.BytesIO(out.getvalue())))


# --- metadata ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(EXPECTED))
def test_metadata_of_each_example(name: str) -> None:
    parsed, expected = _read(name), EXPECTED[name]
    assert parsed.code == expected.code
    assert parsed.title == expected.title
    assert parsed.type_name == expected.type_name
    assert parsed.number == expected.number
    assert parsed.effective_from == expected.effective_from < date.today()
    assert parsed.process == expected.process
    assert parsed.responsible == expected.responsible


@pytest.mark.parametrize("name", list(EXPECTED))
def test_people_and_history_are_metadata_not_blocks(name: str) -> None:
    parsed, expected = _read(name), EXPECTED[name]
    people = tuple((p.meaning, p.name, p.job_title, p.on) for p in parsed.people)
    assert people == expected.people
    assert tuple((row.number, row.on, row.description) for row in parsed.history) == (
        expected.history
    )
    assert [block["kind"] for block in parsed.blocks] == list(expected.kinds)
    words = str(parsed.blocks)
    for stray in ("ELABORÓ", "Elaboró", "Historial", "CONTROL DE CAMBIOS", "Copia no controlada"):
        assert stray not in words


@pytest.mark.parametrize("name", list(EXPECTED))
def test_every_block_passes_the_validator(name: str) -> None:
    parsed = _read(name)
    cleaned = clean_blocks(parsed.blocks)
    assert [block["kind"] for block in cleaned] == list(EXPECTED[name].kinds)


def test_labels_read_in_the_page_header_and_what_was_guessed() -> None:
    csc = _read("atencion-al-cliente")
    # The code, version and date are cells of the page header's table, the title its merged
    # cell; the type comes from the title, so it is marked guessed.
    assert "type_name" in csc.guessed and "title" not in csc.guessed
    assert not any("CSC-AC-CR-01" in str(block) for block in csc.blocks)
    call = _read("centro-de-llamadas")
    assert call.macroprocess == "Gestión Comercial"
    procedure_doc = _read("mantener-relaciones")
    assert procedure_doc.type_name == "Procedimiento" and "type_name" not in procedure_doc.guessed


def test_the_body_header_table_with_merged_cells_is_read_not_kept() -> None:
    parsed = _read("mantener-relaciones")
    assert parsed.blocks[0]["kind"] == "text"
    assert "PD-GCR-MR-002" not in str(parsed.blocks)
    assert not any("date" in note for note in parsed.notes)


# --- structured blocks -------------------------------------------------------------------


def test_customer_service_sipoc_keeps_its_phases_from_the_section_rows() -> None:
    _v1, v2 = customer_service(_lines(CSC_FILE))
    demo = next(block for block in v2 if block["kind"] == "sipoc")["rows"]
    rows = _only(_read("atencion-al-cliente"), "sipoc")["rows"]
    assert [(r["phase"], r["activity"]) for r in rows] == [
        (r["phase"], r["activity"]) for r in demo
    ]
    assert [r["phase"] for r in rows].count("V") == 4
    for row, source in zip(rows, demo, strict=True):
        for key in SIPOC_KEYS:
            assert row[key] == _cell_lines(source[key])


def test_resources_and_requirements_tables_become_their_kinds() -> None:
    parsed = _read("atencion-al-cliente")
    resources = _only(parsed, "resources")
    assert resources["title"] == "RECURSOS"
    assert resources["environment"] == "iluminación, ergonomía"
    requirements = _only(parsed, "requirements")
    assert requirements["iso"] == ["5.1.2", "8.2", "8.2.1", "9.1.2"]
    assert len(requirements["legal"]) == 3


def test_procedure_steps_with_numbers_and_decisions() -> None:
    demo = procedure(_lines(PROCEDURE_FILE))[1]["steps"]
    block = _only(_read("mantener-relaciones"), "steps")
    steps = block["steps"]
    assert block["title"] == "Actividades del Procedimiento"
    assert [s["id"] for s in steps] == [str(n) for n in range(1, 46)]
    assert [(s["task"], s["who"], s["decision"]) for s in steps] == [
        (s["task"], s["who"], s["decision"]) for s in demo
    ]
    assert steps[0]["task"] == "Manifestar pqrsl"
    assert steps[1]["decision"] == {
        "question": "¿ El canal de recepción es presencial?",
        "yes": "3",
        "no": "4",
    }
    assert "\n" in steps[31]["how"]  # the cell's paragraphs kept apart


def test_steps_decisions_are_marked_guessed_with_a_note() -> None:
    parsed = _read("mantener-relaciones")
    assert "block:1" in parsed.guessed
    assert any("decision" in note for note in parsed.notes)


def test_call_centre_phases_are_inferred_and_said_so() -> None:
    parsed = _read("centro-de-llamadas")
    demo = next(block for block in call_centre(_lines(CALL_FILE)) if block["kind"] == "sipoc")
    rows = _only(parsed, "sipoc")["rows"]
    assert [r["activity"] for r in rows] == [r["activity"] for r in demo["rows"]]
    assert {r["phase"] for r in rows} <= {"P", "H", "V", "A"}
    assert len({r["phase"] for r in rows}) > 1
    assert "block:1" in parsed.guessed
    assert any("PHVA" in note for note in parsed.notes)


def test_indicators_and_controls_tables() -> None:
    parsed = _read("centro-de-llamadas")
    (indicator,) = _only(parsed, "indicators")["rows"]
    assert indicator["name"] == "Cumplimiento en llamadas realizadas"
    assert indicator["target"] == "95%" and indicator["frequency"] == "Mensual"
    controls = _only(parsed, "controls")
    assert controls["title"] == "Controles"
    assert [c["activity"] for c in controls["rows"]] == [
        "Auditorías internas de calidad",
        "Indicadores de gestión",
    ]


def test_unrecognised_tables_stay_tables() -> None:
    parsed = _read("centro-de-llamadas")
    first, last = parsed.blocks[0], parsed.blocks[-1]
    assert first["columns"][0] == "Objetivo y alcance del proceso"
    assert first["rows"] == [["Líder de proceso", "Coordinador centro de llamadas"]]
    assert last == {
        "kind": "table",
        "title": "Documentos",
        "columns": ["Documentos Referencia", "Registros"],
        "rows": [["Ver listado maestro de documentos", "Ver listado maestro de documentos"]],
    }


def test_a_sipoc_with_an_unknown_column_stays_a_table() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=6)
    headers = ("Proveedores", "Entradas", "Actividades", "Salidas", "Clientes", "Observaciones")
    for c, text in enumerate(headers):
        table.cell(0, c).text = text
        table.cell(1, c).text = f"valor {c}"
    (block,) = _saved(document).blocks
    assert block["kind"] == "table" and block["columns"] == list(headers)


def test_english_headers_from_the_declarations_and_a_phase_column() -> None:
    document = docx.Document()
    headers = ("Phase", "Suppliers", "Inputs", "Activity", "Outputs", "Clients")
    rows = (("Planear", "a", "b", "Definir", "c", "d"), ("", "a", "b", "Ajustar", "c", "d"))
    table = document.add_table(rows=3, cols=6)
    for r, values in enumerate((headers, *rows)):
        for c, text in enumerate(values):
            table.cell(r, c).text = text
    table.cell(1, 0).merge(table.cell(2, 0))  # the phase cell spans both rows
    (block,) = _saved(document).blocks
    assert block["kind"] == "sipoc"
    assert [(r["phase"], r["activity"]) for r in block["rows"]] == [
        ("P", "Definir"),
        ("P", "Ajustar"),
    ]


def test_phase_paragraphs_between_tables_make_one_sipoc() -> None:
    document = docx.Document()
    for phase, activity in (("PLANEAR", "Planificar"), ("VERIFICAR", "Medir")):
        document.add_paragraph(phase)
        table = document.add_table(rows=2, cols=5)
        for c, text in enumerate(("PROVEEDORES", "ENTRADAS", "ACTIVIDADES", "SALIDAS", "CLIENTES")):
            table.cell(0, c).text = text
        table.cell(1, 2).text = activity
    (block,) = _saved(document).blocks
    assert [(r["phase"], r["activity"]) for r in block["rows"]] == [
        ("P", "Planificar"),
        ("V", "Medir"),
    ]


def _grid_document(*tables: tuple[tuple[str, ...], ...]) -> Document:
    document = docx.Document()
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, values in enumerate(rows):
            for c, text in enumerate(values):
                table.cell(r, c).text = text
    return document


def test_spanish_labels_of_the_declarations_are_read_in_an_app_context(app: Flask) -> None:
    """ "Número de la actividad" is the steps' declared label in Spanish, in no synonym list."""
    numbered = (
        ("Número de la actividad", "Tarea", "Quién"),
        ("A1", "Recibir la solicitud", "Auxiliar"),
        ("A2", "Responder", "Líder"),
    )
    unnumbered = (("Tarea", "Quién"), ("Recibir", "Auxiliar"), ("Responder", "Líder"))
    document = _grid_document(numbered, unnumbered)
    assert [b["kind"] for b in _saved(document).blocks] == ["table", "steps"]
    with app.app_context():
        parsed = _saved(document)
        assert clean_blocks(parsed.blocks)
    first, second = parsed.blocks
    assert [(s["id"], s["task"]) for s in first["steps"]] == [
        ("A1", "Recibir la solicitud"),
        ("A2", "Responder"),
    ]
    assert [s["id"] for s in second["steps"]] == ["1", "2"]
    assert parsed.guessed == {"block:1"}
    with app.app_context():  # the note reads in the language of the request
        assert str(notes.STEP_NUMBERS) in [str(note) for note in parsed.notes]


def test_a_list_of_documents_with_versions_is_content_not_history() -> None:
    rows = (("Código", "Nombre", "Versión", "Fecha"), ("AC-PR-01", "Atención", "3", "01/02/2024"))
    parsed = _saved(_grid_document(rows))
    assert parsed.history == [] and parsed.blocks[0]["kind"] == "table"


def test_signatures_in_rows_without_a_header_and_inline_labels() -> None:
    rows = (
        ("Elaboró: Ana Pérez", "Profesional de calidad", "12/03/2024"),
        ("Revisó: Luis Mora", "Coordinador", ""),
        ("Aprobó", "Marta Díaz", "Gerente"),
    )
    parsed = _saved(_grid_document(rows))
    assert [(p.meaning, p.name, p.job_title, p.on) for p in parsed.people] == [
        ("authored", "Ana Pérez", "Profesional de calidad", date(2024, 3, 12)),
        ("reviewed", "Luis Mora", "Coordinador", None),
        ("approved", "Marta Díaz", "Gerente", None),
    ]
    assert parsed.blocks == []


def test_two_signers_in_one_cell_and_a_dash_for_nobody_in_english() -> None:
    rows = (
        ("", "Authored", "Reviewed", "Approved"),
        ("Name", "Ana Pérez\nLuis Mora", "Eva Ruiz", "—"),
        ("Job title", "Auxiliar\nProfesional", "Jefe", "—"),
        ("Date", "2024-03-01\n2024-03-02", "", "—"),
    )
    parsed = _saved(_grid_document(rows))
    assert [(p.meaning, p.name, p.job_title, p.on) for p in parsed.people] == [
        ("authored", "Ana Pérez", "Auxiliar", date(2024, 3, 1)),
        ("authored", "Luis Mora", "Profesional", date(2024, 3, 2)),
        ("reviewed", "Eva Ruiz", "Jefe", None),
    ]


def test_signatures_in_the_page_footer() -> None:
    document = docx.Document()
    table = document.sections[0].footer.add_table(rows=2, cols=3, width=Inches(6))
    for c, (meaning, name) in enumerate(
        (("Elaboró", "Ana"), ("Revisó", "Luis"), ("Aprobó", "Eva"))
    ):
        table.cell(0, c).text, table.cell(1, c).text = meaning, name
    document.add_paragraph("Contenido.")
    parsed = _saved(document)
    assert [(p.meaning, p.name) for p in parsed.people] == [
        ("authored", "Ana"),
        ("reviewed", "Luis"),
        ("approved", "Eva"),
    ]
    assert parsed.blocks == [{"kind": "text", "text": "Contenido."}]


def test_an_empty_file_reads_as_nothing_with_notes() -> None:
    parsed = _saved(docx.Document())
    assert parsed.blocks == [] and parsed.code == "" and parsed.number is None
    assert len(parsed.notes) == 3


def test_the_tables_the_export_writes_read_back_as_their_kinds() -> None:
    """The export (qms.word.writing) writes each kind's table view: pair kinds under a
    Resource | Description header, requirements a row per item, decisions in a column."""
    document = _grid_document(
        (("Resource", "Description"), ("Human", "Auxiliar"), ("Work environment", "Ruido")),
        (("Clase", "Requisito"), ("ISO 9001:2015", "8.2.1"), ("ISO 9001:2015", "9.1.2")),
        (("Código",), ("PD-GCR-MR-002",), ("csc-ac-cr-01",)),
        (
            ("Campo", "Tipo", "Obligatorio", "Opciones"),
            ("Fecha", "date", "Sí", ""),
            ("Tipo", "choice", "No", "Petición, Queja"),
        ),
        (
            ("No.", "Tarea", "Responsable", "Cómo", "Registros", "Formato", "Decisión"),
            ("1", "Recibir", "Auxiliar", "", "", "fo-01", ""),
            ("2", "", "", "", "", "", "¿Es queja? Sí → actividad 3 · No → actividad 1"),
            ("3", "Responder", "Líder", "", "", "", ""),
        ),
    )
    parsed = _saved(document)
    resources, requirements, related, form, steps = clean_blocks(parsed.blocks)
    assert (resources["human"], resources["environment"]) == ("Auxiliar", "Ruido")
    assert requirements["iso"] == ["8.2.1", "9.1.2"]
    assert related["codes"] == ["PD-GCR-MR-002", "CSC-AC-CR-01"]
    assert form["fields"][0] == {"label": "Fecha", "type": "date", "required": True, "options": []}
    assert form["fields"][1]["options"] == ["Petición", "Queja"]
    assert steps["steps"][0]["form_code"] == "FO-01"
    assert steps["steps"][1]["decision"] == {"question": "¿Es queja?", "yes": "3", "no": "1"}
    # Read, not inferred: only the missing code, version and date are noted.
    assert parsed.guessed == set() and len(parsed.notes) == 3


# --- text ----------------------------------------------------------------------------------


def test_bold_italics_headings_lists_and_escapes_become_markdown() -> None:
    csc = _read("atencion-al-cliente")
    intro = csc.blocks[1]["text"]
    assert intro.startswith("**OBJETIVO:** Establecer actividades")
    assert "de las *Afiliaciones* y atención" in intro
    assert "\n\n### ALCANCE\n\n" in intro
    assert r"marcados con \* son obligatorios \[ver anexo\_1]." in intro
    indicators = csc.blocks[4]["text"]
    assert indicators == (
        "### INDICADORES DE GESTIÓN\n\n"
        "- Ver Matriz de Indicadores Estratégicos - Plan de Acción\n"
        "- Ver Matriz de Indicadores de Procesos"
    )
    procedure_text = _read("mantener-relaciones").blocks[0]["text"]
    assert procedure_text.startswith("### Objetivo\n\nEstablecer los mecanismos")
    assert "### Responsable\n\nGerente Relaciones Corporativas" in procedure_text
    assert "Inicia con la *medición del grupo de interés*, análisis" in procedure_text
    assert "Copia no controlada" not in procedure_text


def test_numbered_and_nested_lists() -> None:
    document = docx.Document()
    document.add_paragraph("Pasos:")
    document.add_paragraph("Recibir", "List Number")
    document.add_paragraph("Responder", "List Number")
    document.add_paragraph("Detalle", "List Bullet 2")
    (block,) = _saved(document).blocks
    assert block["text"] == "Pasos:\n\n1. Recibir\n1. Responder\n    - Detalle"


def test_content_controls_are_opened() -> None:
    """Templates wrap sections in content controls (w:sdt); their paragraphs are content."""
    document = docx.Document()
    inside = document.add_paragraph("Dentro del control")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    inside._p.addprevious(sdt)
    sdt.append(content)
    content.append(inside._p)
    document.add_paragraph("Después")
    (block,) = _saved(document).blocks
    assert block["text"] == "Dentro del control\n\nDespués"


def test_escape_covers_markdown_syntax() -> None:
    assert escape(r"a*b_c[d]`e\f") == r"a\*b\_c\[d]\`e\\f"
    assert escape("causa <urgente> y 3 < 4") == "causa &lt;urgente> y 3 < 4"


# --- cells, limits, values -----------------------------------------------------------------


def test_merged_cells_are_read_once() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Título"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Alto"
    table.cell(1, 1).text, table.cell(1, 2).text = "b", "c"
    table.cell(2, 1).text, table.cell(2, 2).text = "e", "f"
    assert grid_of(table._tbl) == [["Título", "", ""], ["Alto", "b", "c"], ["", "e", "f"]]
    (block,) = _saved(document).blocks
    assert block["columns"] == ["Título", "", ""]
    assert str(block).count("Alto") == 1


def test_long_tables_are_split_within_the_limits() -> None:
    grid = [["A", "B"]] + [[str(n), "x"] for n in range(MAX_ROWS + 5)]
    blocks = free_tables(grid, "Larga", Parsed())
    assert [len(block["rows"]) for block in blocks] == [MAX_ROWS, 5]
    assert clean_blocks(blocks)


def test_long_text_is_split_within_the_limits() -> None:
    document = docx.Document()
    for _ in range(30):
        document.add_paragraph("palabra " * 1000)
    document.add_paragraph("[x] " * 1500)  # one paragraph over the brackets a block may hold
    parsed = _saved(document)
    assert len(parsed.blocks) == 3
    assert clean_blocks(parsed.blocks)
    assert "".join(block["text"] for block in parsed.blocks[1:]).count(r"\[x]") == 1500


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("31/08/2025", date(2025, 8, 31)),
        ("31-08-2025", date(2025, 8, 31)),
        ("2020-06-17", date(2020, 6, 17)),
        ("31 de agosto de 2025", date(2025, 8, 31)),
        ("Agosto 31 de 2025", date(2025, 8, 31)),
        ("15/10/20", date(2020, 10, 15)),
        ("1510/2020", None),
    ],
)
def test_dates(text: str, day: date | None) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(("text", "number"), [("3", 3), ("03", 3), ("2.0", 2), ("V. 4", 4)])
def test_version_numbers(text: str, number: int) -> None:
    assert parse_number(text) == number


def test_an_unreadable_date_is_a_note() -> None:
    document = docx.Document()
    document.add_paragraph("CÓDIGO: AC-PR-01")
    document.add_paragraph("VIGENTE DESDE: 1510/2020")
    document.add_paragraph("Texto del documento.")
    parsed = _saved(document)
    assert parsed.code == "AC-PR-01" and parsed.effective_from is None
    assert any("1510/2020" in note for note in parsed.notes)
    assert parsed.blocks == [{"kind": "text", "text": "Texto del documento."}]


def test_read_bytes_checks_and_reads() -> None:
    parsed = read_bytes(example_docx("mantener-relaciones"), "procedimiento.docx")
    assert parsed.code == "PD-GCR-MR-002"
