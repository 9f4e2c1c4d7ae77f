"""The demo's documents: the three real examples as documents with history, via the services.

- CSC-AC-CR-01, the customer-service characterisation: v1 superseded, v2 effective;
- CL-CR-01, the call-centre characterisation: v1 effective, v2 submitted and waiting in review;
- PD-GCR-MR-002, the procedure "Mantener relaciones": v1 effective.

Content is parsed from the example files (tab-separated lines are table rows). The process
leader "lider" writes and submits; the quality lead "calidad" corrects the codes to the ones
the examples carry, reviews and approves (segregation of duties: the author never signs as
reviewer or approver). Signing needs the passwords the demo has just set, so they are passed in.
Idempotent: a document whose code exists is left alone.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.config import PROJECT_ROOT
from qms.documents import approval, authoring
from qms.documents.models import Document, DocumentType
from qms.processes.services import find_process
from qms.users.services import find_user

log = logging.getLogger(__name__)

AUTHOR, SIGNER = "lider", "calidad"
CSC_FILE = "caracterizacion-atencion-al-cliente-CSC-AC-CR-01.txt"
CALL_FILE = "caracterizacion-centro-de-llamadas.txt"
PROCEDURE_FILE = "procedimiento-mantener-relaciones-PD-GCR-MR-002.txt"
SIPOC = ["Proveedores", "Entradas", "Actividades", "Salidas", "Clientes"]
PHASES = ("PLANEAR", "HACER", "VERIFICAR", "ACTUAR")
STEPS = ["Tarea", "Quién", "Cómo", "Documentos y/o registros asociados"]
ISO_CLAUSE = re.compile(r"^\d+(\.\d+)+\s+\S")
RESOURCE = re.compile(r"^(Físicos|Humanos|Tecnológicos|Ambiente de trabajo):\s*(.+)$")

Block = dict[str, Any]


def examples_dir() -> Path | None:
    """Where the example files are: QMS_DEMO_EXAMPLES, then the packaged copy, then the
    project's sibling `shared/examples` (where the examples live in the development tree)."""
    candidates = [os.environ.get("QMS_DEMO_EXAMPLES", "")]
    candidates += [str(PROJECT_ROOT / "qms" / "demo_examples")]
    candidates += [str(PROJECT_ROOT.parent / "shared" / "examples")]
    for candidate in candidates:
        if candidate and (Path(candidate) / CSC_FILE).is_file():
            return Path(candidate)
    return None


# ---- parsing: small on purpose; a line with tabs is a table row, anything odd is skipped ----


def _cells(line: str) -> list[str]:
    return [_clean(cell) for cell in line.split("\t")]


def _clean(text: str) -> str:
    text = re.sub(r"\s*</p>\s*<p>\s*", "\n\n", text)  # the procedure keeps some HTML paragraphs
    text = re.sub(r"</?p>", "", text).replace("\\*", "*")
    return re.sub(r"[ \t]+", " ", text).strip()


def _after(lines: list[str], heading: str) -> str:
    """The first non-empty line after the line that reads `heading`."""
    wanted = heading.casefold()
    for i, line in enumerate(lines):
        if line.strip(" *:#\t").casefold() == wanted:
            return next((_clean(rest) for rest in lines[i + 1 :] if rest.strip()), "")
    return ""


def _text(title: str, body: str) -> Block:
    return {"kind": "text", "text": f"### {title}\n\n{body}".strip()}


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Block:
    return {"kind": "table", "title": title, "columns": columns, "rows": rows}


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _sipoc_by_phase(lines: list[str]) -> list[Block]:
    """Five-cell rows under the last phase heading seen (page breaks repeat no heading)."""
    phase = PHASES[0]
    rows: dict[str, list[list[str]]] = {name: [] for name in PHASES}
    for line in lines:
        label = line.strip().lstrip("#").strip().upper()
        if label in PHASES:
            phase = label
            continue
        cells = _cells(line)
        if len(cells) == len(SIPOC) and any(cells) and cells[0].upper() != "PROVEEDORES":
            rows[phase].append(cells)
    return [_table(f"SIPOC – {name.title()}", SIPOC, rows[name]) for name in PHASES if rows[name]]


def customer_service(lines: list[str]) -> tuple[list[Block], list[Block]]:
    """(v1, v2): v2 adds the resources and the ISO 9001:2015 requirements to v1."""
    objective = next(
        (_clean(line.split("**OBJETIVO:**", 1)[1]) for line in lines if "**OBJETIVO:**" in line),
        "",
    )
    v1 = [_text("Objetivo", objective), _text("Alcance", _after(lines, "ALCANCE"))]
    v1 += _sipoc_by_phase(lines)
    resources = [m.groups() for m in map(RESOURCE.match, map(_clean, lines)) if m]
    clauses = [_clean(line) for line in lines if ISO_CLAUSE.match(_clean(line))]
    v2 = [
        *v1,
        _text("Recursos", _bullets(f"**{kind}:** {value}" for kind, value in resources)),
        _text("Requisitos ISO 9001:2015", _bullets(clauses)),
    ]
    return v1, v2


def call_centre(lines: list[str]) -> list[Block]:
    """Label/value lines (two or four cells) as text, five-cell lines as the SIPOC."""
    pairs, rows = [], []
    for line in lines:
        cells = _cells(line)
        if len(cells) in (2, 4):
            pairs += [(cells[i].rstrip(":"), cells[i + 1]) for i in range(0, len(cells), 2)]
        elif len(cells) == len(SIPOC) and cells[0].casefold() != "proveedores":
            rows.append(cells)
    head = [f"**{label}:** {value}" for label, value in pairs[:2]]
    tail = [f"**{label}:** {value}" for label, value in pairs[2:] if label]
    return [
        _text("Objetivo, alcance y líder", "\n\n".join(head)),
        _table("SIPOC", SIPOC, rows),
        _text("Requisitos, indicadores, controles y recursos", _bullets(tail)),
    ]


def procedure(lines: list[str]) -> list[Block]:
    rows = [c for c in map(_cells, lines) if len(c) == len(STEPS) and re.match(r"^\d+\.", c[0])]
    return [
        _text("Objetivo", _after(lines, "Objetivo")),
        _text("Responsable", _after(lines, "Responsable")),
        _text("Alcance", _after(lines, "Alcance")),
        _table("Actividades del procedimiento", STEPS, rows),
    ]


# ---- building ----


@dataclass(frozen=True)
class DemoVersion:
    content: list[Block]
    change_summary: str = ""
    submit_only: bool = False  # leave it waiting in review


@dataclass(frozen=True)
class DemoDocument:
    code: str
    type_key: str
    process: str
    title: str
    versions: tuple[DemoVersion, ...]


def demo_documents(root: Path) -> list[DemoDocument]:
    def read(name: str) -> list[str]:
        return (root / name).read_text(encoding="utf-8").splitlines()

    csc_v1, csc_v2 = customer_service(read(CSC_FILE))
    call_v1 = call_centre(read(CALL_FILE))
    call_v2 = [
        {**block, "text": block["text"].replace("ISO 9001:2008", "ISO 9001:2015")}
        if block["kind"] == "text"
        else block
        for block in call_v1
    ]
    return [
        DemoDocument(
            "CSC-AC-CR-01",
            "characterization",
            "AC",
            "Caracterización Atención al Cliente",
            (
                DemoVersion(csc_v1),
                DemoVersion(
                    csc_v2,
                    "Se incluyen los recursos del proceso y los requisitos de la norma "
                    "ISO 9001:2015.",
                ),
            ),
        ),
        DemoDocument(
            "CL-CR-01",
            "characterization",
            "CL",
            "Caracterización Coordinación Centro de Llamadas",
            (
                DemoVersion(call_v1),
                DemoVersion(
                    call_v2, "Se actualizan los requisitos a la norma ISO 9001:2015.", True
                ),
            ),
        ),
        DemoDocument(
            "PD-GCR-MR-002",
            "procedure",
            "GCR",
            "Procedimiento Mantener Relaciones",
            (DemoVersion(procedure(read(PROCEDURE_FILE))),),
        ),
    ]


def build_demo_documents(session: Session, logins: Iterable[tuple[str, str, str]]) -> list[str]:
    """Create the demo documents that are missing; return their codes. Flushes, never commits."""
    passwords = {username: password for username, password, _role in logins}
    root = examples_dir()
    author, signer = find_user(session, AUTHOR), find_user(session, SIGNER)
    if root is None or author is None or signer is None:
        log.warning("demo documents skipped: example files or demo users not found")
        return []
    if not (passwords.get(AUTHOR) and passwords.get(SIGNER)):
        return []  # accounts the demo did not create: it cannot sign for them
    created = []
    for spec in demo_documents(root):
        if session.scalar(sa.select(Document.id).where(Document.code == spec.code)) is None:
            _build(session, spec, (author, passwords[AUTHOR]), (signer, passwords[SIGNER]))
            created.append(spec.code)
    return created


def _build(
    session: Session, spec: DemoDocument, author: tuple[Any, str], signer: tuple[Any, str]
) -> None:
    (writer, writer_pw), (lead, lead_pw) = author, signer
    process = find_process(session, spec.process)
    type_id = session.scalar(sa.select(DocumentType.id).where(DocumentType.key == spec.type_key))
    if process is None or type_id is None:
        return
    document = authoring.create_document(
        session, writer, type_id=type_id, process_id=process.id, title=spec.title
    )
    # The example's code, set before the first approval locks it.
    authoring.correct_code(
        session, lead, document.id, spec.code, "Código del listado maestro vigente."
    )
    for number, demo in enumerate(spec.versions, start=1):
        if number == 1:
            version = document.versions[0]
        else:
            version = authoring.start_draft(session, writer, document.id)
        authoring.update_draft(
            session,
            writer,
            version.id,
            content=demo.content,
            change_summary=demo.change_summary or None,
        )
        approval.submit_version(session, writer, version.id, writer_pw)
        if demo.submit_only:
            continue
        approval.review_version(session, lead, version.id, lead_pw)
        approval.approve_version(session, lead, version.id, lead_pw)
