"""The three real examples as an organisation keeps them in Word, built with python-docx.

The content comes from the example exports through qms.demo.parsing, so the files follow the
examples; the page header (a table in the section header for the customer-service
characterisation, a table in the body for the procedure, labelled paragraphs for the call
centre), the signature table and the version history are laid out as organisations lay them.
`EXPECTED` says what reading each file must give.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.shared import Inches
from docx.table import Table, _Cell

from qms.demo.documents import CALL_FILE, CSC_FILE, PROCEDURE_FILE, examples_dir
from qms.demo.parsing import call_centre, customer_service, procedure

Block = dict[str, Any]
SIPOC_HEADERS = ("PROVEEDORES", "ENTRADAS", "ACTIVIDADES", "SALIDAS", "CLIENTES")
SIPOC_KEYS = ("suppliers", "inputs", "activity", "outputs", "clients")
PHASE_NAMES = {"P": "PLANEAR", "H": "HACER", "V": "VERIFICAR", "A": "ACTUAR"}


@dataclass(frozen=True)
class Expected:
    code: str
    title: str
    type_name: str
    number: int
    effective_from: date
    process: str
    responsible: str
    people: tuple[tuple[str, str, str, date | None], ...]  # meaning, name, job title, date
    history: tuple[tuple[int, date | None, str], ...]  # number, date, description
    kinds: tuple[str, ...]  # the blocks' kinds, in order


def _lines(name: str) -> list[str]:
    root = examples_dir()
    assert root is not None, "the example files are missing"
    return (Path(root) / name).read_text(encoding="utf-8").splitlines()


def _block(blocks: list[Block], kind: str) -> Block:
    return next(block for block in blocks if block["kind"] == kind)


def _bullets(text: str) -> list[str]:
    """The export writes a cell's bullets inline ("*a *b"); Word has a paragraph each."""
    return [part.strip() for part in text.split("*") if part.strip()] or [""]


def _fill(cell: _Cell, lines: list[str]) -> None:
    cell.text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def _table(document: Document, header: list[str], rows: list[list[str]]) -> Table:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _fill(cell, text.split("\n"))
    return table


def _spanning_row(table: Table, text: str) -> None:
    """A row merged across the table, as a phase title inside a SIPOC."""
    row = table.add_row()
    merged = row.cells[0].merge(row.cells[-1])
    merged.text = text


def _bytes(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- Caracterización Atención al Cliente: header table in the page header -------------------

CSC_PEOPLE = (
    ("authored", "Laura Méndez", "Auxiliar Administrativo", date(2020, 9, 28)),
    ("reviewed", "Carlos Rincón", "Profesional de Calidad", date(2020, 10, 5)),
    ("approved", "Marta Gómez", "Gerente General", date(2020, 10, 13)),
)
CSC_HISTORY = (
    (2, date(2017, 3, 14), "Se ajustan las actividades del ciclo HACER."),
    (3, date(2018, 11, 2), "Se incluyen los mecanismos de seguimiento y control."),
    (4, date(2020, 10, 15), "Se actualizan los requisitos a la norma ISO 9001:2015."),
)


def _csc_header(document: Document) -> None:
    header = document.sections[0].header
    table = header.add_table(rows=3, cols=3, width=Inches(6.5))
    organisation = table.cell(0, 0).merge(table.cell(2, 0))
    organisation.text = "Corporación Social de Cundinamarca"
    title = table.cell(0, 1).merge(table.cell(2, 1))
    title.text = "CARACTERIZACIÓN ATENCIÓN AL CLIENTE"
    table.cell(0, 2).text = "CÓDIGO: CSC-AC-CR-01"
    table.cell(1, 2).text = "VERSIÓN: 4"
    table.cell(2, 2).text = "VIGENTE DESDE: 15/10/2020"


def _csc() -> bytes:
    _v1, blocks = customer_service(_lines(CSC_FILE))
    document = docx.Document()
    _csc_header(document)
    _table(
        document,
        ["NOMBRE DEL PROCESO", "TIPO DE PROCESO", "RESPONSABLE DEL PROCESO"],
        [["ATENCIÓN AL CLIENTE", "MISIONAL", "JEFE OFICINA DE PRENSA Y ATENCIÓN AL CLIENTE"]],
    )
    objective = document.add_paragraph()
    objective.add_run("OBJETIVO:").bold = True
    objective.add_run(" Establecer actividades que garanticen seguimiento y control de las ")
    objective.add_run("Afiliaciones").italic = True
    objective.add_run(" y atención de PQRS.")
    document.add_paragraph().add_run("ALCANCE").bold = True
    document.add_paragraph(
        "Este proceso inicia desde solicitud de información para realizar la afiliación a la "
        "Corporación y termina con la respuesta a las PQRS. Los campos marcados con * son "
        "obligatorios [ver anexo_1]."
    )
    sipoc = document.add_table(rows=1, cols=5)
    sipoc.style = "Table Grid"
    phase = ""
    for row in _block(blocks, "sipoc")["rows"]:
        if row["phase"] != phase:
            phase = row["phase"]
            _spanning_row(sipoc, PHASE_NAMES[phase])
            header = sipoc.add_row().cells
            for cell, text in zip(header, SIPOC_HEADERS, strict=True):
                cell.text = text
        cells = sipoc.add_row().cells
        for cell, key in zip(cells, SIPOC_KEYS, strict=True):
            _fill(cell, _bullets(row[key]))
    sipoc._tbl.remove(sipoc.rows[0]._tr)  # the empty row add_table starts with
    document.add_heading("RECURSOS", level=2)
    resources = _block(blocks, "resources")
    labels = {
        "physical": "Físicos",
        "human": "Humanos",
        "technological": "Tecnológicos",
        "environment": "Ambiente de trabajo",
    }
    table = document.add_table(rows=0, cols=2)
    for key, label in labels.items():
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, resources[key]
    document.add_heading("INDICADORES DE GESTIÓN", level=2)
    document.add_paragraph("Ver Matriz de Indicadores Estratégicos - Plan de Acción", "List Bullet")
    document.add_paragraph("Ver Matriz de Indicadores de Procesos", "List Bullet")
    document.add_heading("REQUISITOS", level=2)
    requirements = _block(blocks, "requirements")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Requisitos ISO 9001:2015"
    _fill(table.cell(0, 1), list(requirements["iso"]))
    table.cell(1, 0).text = "Requisitos legales"
    _fill(table.cell(1, 1), list(requirements["legal"]))
    _signatures_in_columns(document, CSC_PEOPLE)
    document.add_paragraph("CONTROL DE CAMBIOS").runs[0].bold = True
    _table(
        document,
        ["VERSIÓN", "FECHA", "DESCRIPCIÓN DEL CAMBIO", "ELABORÓ"],
        [[str(n), on.strftime("%d/%m/%Y"), text, "Laura Méndez"] for n, on, text in CSC_HISTORY],
    )
    document.add_paragraph("Copia no controlada")
    return _bytes(document)


def _signatures_in_columns(document: Document, people: tuple[Any, ...]) -> None:
    table = document.add_table(rows=5, cols=4)
    for c, title in enumerate(("", "ELABORÓ", "REVISÓ", "APROBÓ")):
        table.cell(0, c).text = title
    for r, label in enumerate(("NOMBRE", "CARGO", "FECHA", "FIRMA"), start=1):
        table.cell(r, 0).text = label
    for c, (_meaning, name, job, on) in enumerate(people, start=1):
        table.cell(1, c).text = name
        table.cell(2, c).text = job
        table.cell(3, c).text = on.strftime("%d/%m/%Y")


# --- Procedimiento Mantener Relaciones: header table in the body ------------------------------

PROCEDURE_PEOPLE = (
    ("authored", "Paula Ríos", "Profesional Experiencia De Servicio", date(2020, 6, 1)),
    ("reviewed", "Andrés Salazar", "Coordinador Marketing Estratégico", date(2020, 6, 8)),
    ("approved", "Juliana Ocampo", "Gerente Relaciones Corporativas", date(2020, 6, 16)),
)
PROCEDURE_HISTORY = (
    (1, date(2018, 2, 20), "Creación del documento."),
    (2, date(2020, 6, 17), "Se incluye la verificación de satisfacción de las pqrsl."),
)


def _procedure_header(document: Document) -> None:
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    table.cell(0, 0).text = "Confa"
    process = table.cell(1, 0).merge(table.cell(2, 0))
    process.text = "Proceso: Gestión del Capital Relacional Procedimiento: Mantener Relaciones"
    for r, (label, value) in enumerate(
        (("Código", "PD-GCR-MR-002"), ("Fecha", "2020-06-17"), ("Versión", "2.0"))
    ):
        table.cell(r, 1).text, table.cell(r, 2).text = label, value


def _step_task(step: Block) -> str:
    asked = step["decision"]["question"] if step["decision"] else step["task"]
    return f"{step['id']}. {asked}"


def _procedure() -> bytes:
    blocks = procedure(_lines(PROCEDURE_FILE))
    document = docx.Document()
    _procedure_header(document)
    document.add_paragraph("Procedimiento: Mantener Relaciones", "Title")
    document.add_heading("Objetivo", level=2)
    document.add_paragraph(
        "Establecer los mecanismos que aseguren la fidelización de los grupos de interés"
    )
    document.add_heading("Responsable", level=2)
    document.add_paragraph("Gerente Relaciones Corporativas (Relaciones Corporativas)")
    document.add_heading("Alcance", level=2)
    scope = document.add_paragraph("Inicia con la ")
    scope.add_run("medición del grupo de interés").italic = True
    scope.add_run(", análisis y estructuración de propuestas por grupo de interés.")
    document.add_paragraph("Copia no controlada")
    document.add_heading("Actividades del Procedimiento", level=2)
    steps = _block(blocks, "steps")["steps"]
    table = _table(
        document,
        ["Tarea", "Quién (Who)", "Cómo (How)", "Documentos y/o registros asociados"],
        [[_step_task(s), s["who"], s["how"], s["records"]] for s in steps],
    )
    table.rows[0].cells[0].paragraphs[0].runs[0].bold = True
    table = document.add_table(rows=4, cols=4)
    for c, title in enumerate(("", "Nombre", "Cargo", "Fecha")):
        table.cell(0, c).text = title
    for r, (meaning, name, job, on) in enumerate(PROCEDURE_PEOPLE, start=1):
        label = {"authored": "Elaboró", "reviewed": "Revisó", "approved": "Aprobó"}[meaning]
        for c, text in enumerate((label, name, job, on.isoformat())):
            table.cell(r, c).text = text
    document.add_heading("Historial de versiones", level=2)
    _table(
        document,
        ["Versión", "Fecha", "Descripción", "Responsable"],
        [[f"{n}.0", on.isoformat(), text, "Paula Ríos"] for n, on, text in PROCEDURE_HISTORY],
    )
    return _bytes(document)


# --- Caracterización Coordinación Centro de Llamadas: labelled paragraphs in the header -------

CALL_PEOPLE = (
    ("authored", "Diana Torres", "Coordinador centro de llamadas", date(2025, 8, 20)),
    ("reviewed", "Jorge Castaño", "Líder de calidad", None),
    ("approved", "Sandra Villa", "Directora ejecutiva", date(2025, 8, 29)),
)
CALL_HISTORY = (
    (1, date(2019, 2, 10), "Creación del documento."),
    (2, date(2022, 3, 15), "Se incluyen los controles del proceso."),
    (3, date(2025, 8, 31), "Se actualizan los requisitos a la norma ISO 9001:2015."),
)
CALL_CONTROLS = ("Auditorías internas de calidad", "Indicadores de gestión")


def _call() -> bytes:
    blocks = call_centre(_lines(CALL_FILE))
    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].text = "CÓDIGO: CL-CR-01"
    header.add_paragraph("VERSIÓN: 03")
    header.add_paragraph("FECHA DE VIGENCIA: 31 de agosto de 2025")
    header.add_paragraph("MACROPROCESO: Gestión Comercial")
    document.add_heading("CARACTERIZACIÓN COORDINACIÓN CENTRO DE LLAMADAS", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Objetivo y alcance del proceso"
    table.cell(0, 1).text = (
        "Apoyar y aumentar el recaudo de cartera a nivel nacional, realizando contacto "
        "telefónico con los usuarios"
    )
    table.cell(1, 0).text = "Líder de proceso"
    table.cell(1, 1).text = "Coordinador centro de llamadas"
    sipoc = _block(blocks, "sipoc")["rows"]
    _table(
        document,
        ["Proveedores", "Entradas", "Actividades", "Salidas", "Clientes"],
        [[row[key] for key in SIPOC_KEYS] for row in sipoc],
    )
    document.add_heading("Indicadores", level=2)
    indicators = _block(blocks, "indicators")["rows"]
    _table(
        document,
        ["Indicador", "Fórmula", "Meta", "Frecuencia", "Responsable"],
        [
            [i["name"], "Llamadas realizadas / llamadas programadas", "95%", "Mensual", "Líder"]
            for i in indicators
        ],
    )
    document.add_heading("Controles", level=2)
    _table(
        document,
        ["Actividad", "Responsable", "Frecuencia", "Evidencia"],
        [[c, "Coordinador centro de llamadas", "Anual", "Informe"] for c in CALL_CONTROLS],
    )
    document.add_heading("Documentos", level=2)
    _table(
        document,
        ["Documentos Referencia", "Registros"],
        [["Ver listado maestro de documentos", "Ver listado maestro de documentos"]],
    )
    table = document.add_table(rows=2, cols=3)
    for c, (meaning, name, job, on) in enumerate(CALL_PEOPLE):
        table.cell(0, c).text = {"authored": "ELABORÓ", "reviewed": "REVISÓ"}.get(meaning, "APROBÓ")
        lines = [f"Nombre: {name}", f"Cargo: {job}"] + ([f"Fecha: {on:%d-%m-%Y}"] if on else [])
        _fill(table.cell(1, c), lines)
    history = document.add_table(rows=1, cols=3)
    history.cell(0, 0).merge(history.cell(0, 2)).text = "HISTORIAL DE VERSIONES"
    cells = history.add_row().cells
    for cell, text in zip(cells, ("Versión", "Fecha", "Descripción del cambio"), strict=True):
        cell.text = text
    for n, on, text in CALL_HISTORY:
        cells = history.add_row().cells
        for cell, value in zip(cells, (f"0{n}", on.strftime("%d/%m/%Y"), text), strict=True):
            cell.text = value
    return _bytes(document)


BUILDERS: dict[str, Callable[[], bytes]] = {
    "atencion-al-cliente": _csc,
    "mantener-relaciones": _procedure,
    "centro-de-llamadas": _call,
}

EXPECTED = {
    "atencion-al-cliente": Expected(
        code="CSC-AC-CR-01",
        title="CARACTERIZACIÓN ATENCIÓN AL CLIENTE",
        type_name="Caracterización",
        number=4,
        effective_from=date(2020, 10, 15),
        process="ATENCIÓN AL CLIENTE",
        responsible="JEFE OFICINA DE PRENSA Y ATENCIÓN AL CLIENTE",
        people=CSC_PEOPLE,
        history=tuple((n, on, text) for n, on, text in CSC_HISTORY),
        kinds=("table", "text", "sipoc", "resources", "text", "requirements"),
    ),
    "mantener-relaciones": Expected(
        code="PD-GCR-MR-002",
        title="Procedimiento Mantener Relaciones",
        type_name="Procedimiento",
        number=2,
        effective_from=date(2020, 6, 17),
        process="Gestión del Capital Relacional",
        responsible="Gerente Relaciones Corporativas (Relaciones Corporativas)",
        people=PROCEDURE_PEOPLE,
        history=PROCEDURE_HISTORY,
        kinds=("text", "steps"),
    ),
    "centro-de-llamadas": Expected(
        code="CL-CR-01",
        title="CARACTERIZACIÓN COORDINACIÓN CENTRO DE LLAMADAS",
        type_name="Caracterización",
        number=3,
        effective_from=date(2025, 8, 31),
        process="",
        responsible="Coordinador centro de llamadas",
        people=CALL_PEOPLE,
        history=CALL_HISTORY,
        kinds=("table", "sipoc", "indicators", "controls", "table"),
    ),
}

_BUILT: dict[str, bytes] = {}


def example_docx(name: str) -> bytes:
    """The example `name` (a key of EXPECTED) as .docx bytes; built once per run."""
    if name not in _BUILT:
        _BUILT[name] = BUILDERS[name]()
    return _BUILT[name]
