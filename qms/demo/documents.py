"""The demo's documents: the three real examples as documents with history, via the services.

- CSC-AC-CR-01, the customer-service characterisation: v1 superseded, v2 effective;
- CL-CR-01, the call-centre characterisation: v1 effective, v2 submitted and waiting in review;
- PD-GCR-MR-002, the procedure "Mantener relaciones": v1 effective, its steps linked to
- PD-GCR-MR-002-FO-01, the paper PQRSL form its steps 15 to 17 handle: v1 effective.

Content is parsed from the example files into structured blocks (qms.demo.parsing). The process
leader "lider" writes and submits; the quality lead "calidad" corrects the codes to the ones
the examples carry and reviews; the general manager "gerente" approves (segregation of duties:
three people sign elaboró, revisó, aprobó). Signing needs the passwords the demo has just set,
so they are passed in.
Idempotent: a document whose code exists is left alone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.config import PROJECT_ROOT
from qms.demo.parsing import call_centre, customer_service, procedure, text
from qms.documents import approval, authoring
from qms.documents.models import Document, DocumentType
from qms.processes.services import find_process
from qms.users.services import find_user

log = logging.getLogger(__name__)

AUTHOR, SIGNER, APPROVER = "lider", "calidad", "gerente"
CSC_FILE = "caracterizacion-atencion-al-cliente-CSC-AC-CR-01.txt"
CALL_FILE = "caracterizacion-centro-de-llamadas.txt"
PROCEDURE_FILE = "procedimiento-mantener-relaciones-PD-GCR-MR-002.txt"
Block = dict[str, Any]
FORM_CODE = "PD-GCR-MR-002-FO-01"
PQRSL_FORM: list[Block] = [
    text([("Instrucciones", "Diligencie a mano, con letra clara, y deposite en el buzón.")]),
    {
        "kind": "form_fields",
        "title": "Petición, queja, reclamo, sugerencia o felicitación",
        "fields": [
            {"label": "Fecha", "type": "date", "required": True},
            {"label": "Nombre completo", "type": "text", "required": True},
            {"label": "Documento de identidad", "type": "text", "required": True},
            {"label": "Teléfono o correo", "type": "text", "required": False},
            {
                "label": "Tipo",
                "type": "choice",
                "required": True,
                "options": ["Petición", "Queja", "Reclamo", "Sugerencia", "Felicitación"],
            },
            {"label": "Descripción", "type": "text", "required": True},
            {"label": "Autorizo el tratamiento de mis datos", "type": "checkbox"},
            {"label": "Firma", "type": "signature", "required": True},
        ],
    },
]


def examples_dir() -> Path | None:
    """Where the example files are: QMS_DEMO_EXAMPLES, then the packaged copy, then the
    project's sibling `shared/examples` (where the examples live in the development tree)."""
    candidates = [os.environ.get("QMS_DEMO_EXAMPLES", "")]
    candidates += [str(PROJECT_ROOT / "qms" / "demo" / "examples")]
    candidates += [str(PROJECT_ROOT.parent / "shared" / "examples")]
    for candidate in candidates:
        if candidate and (Path(candidate) / CSC_FILE).is_file():
            return Path(candidate)
    return None


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
    parent: str = ""  # a form's code comes from the procedure it belongs to


def demo_documents(root: Path) -> list[DemoDocument]:
    def read(name: str) -> list[str]:
        return (root / name).read_text(encoding="utf-8").splitlines()

    csc_v1, csc_v2 = customer_service(read(CSC_FILE))
    call_v1 = call_centre(read(CALL_FILE))
    call_v2 = [
        {**block, "internal": ["Políticas O.S.A"], "iso": ["4.4", "8.2.1", "9.1.3", "10.2"]}
        if block["kind"] == "requirements"
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
            (DemoVersion(procedure(read(PROCEDURE_FILE), form_code=FORM_CODE)),),
        ),
        DemoDocument(
            FORM_CODE,
            "form",
            "GCR",
            "Formato de PQRSL",
            (DemoVersion(PQRSL_FORM),),
            parent="PD-GCR-MR-002",
        ),
    ]


def build_demo_documents(session: Session, logins: Iterable[tuple[str, str, str]]) -> list[str]:
    """Create the demo documents that are missing; return their codes. Flushes, never commits."""
    passwords = {username: password for username, password, _role in logins}
    root = examples_dir()
    people = {name: find_user(session, name) for name in (AUTHOR, SIGNER, APPROVER)}
    if root is None or None in people.values():
        log.warning("demo documents skipped: example files or demo users not found")
        return []
    if not all(passwords.get(name) for name in people):
        return []  # accounts the demo did not create: it cannot sign for them
    signers = {name: (user, passwords[name]) for name, user in people.items()}
    created = []
    for spec in demo_documents(root):
        if session.scalar(sa.select(Document.id).where(Document.code == spec.code)) is None:
            _build(session, spec, signers[AUTHOR], signers[SIGNER], signers[APPROVER])
            created.append(spec.code)
    return created


def _build(
    session: Session,
    spec: DemoDocument,
    author: tuple[Any, str],
    signer: tuple[Any, str],
    approver: tuple[Any, str],
) -> None:
    (writer, writer_pw), (lead, lead_pw), (manager, manager_pw) = author, signer, approver
    process = find_process(session, spec.process)
    type_id = session.scalar(sa.select(DocumentType.id).where(DocumentType.key == spec.type_key))
    if process is None or type_id is None:
        return
    parent_id = None
    if spec.parent:
        parent_id = session.scalar(sa.select(Document.id).where(Document.code == spec.parent))
    document = authoring.create_document(
        session,
        writer,
        type_id=type_id,
        process_id=process.id,
        title=spec.title,
        parent_id=parent_id,
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
        approval.approve_version(session, manager, version.id, manager_pw)
