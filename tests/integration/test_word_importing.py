"""Importing what a Word file gave (`Parsed`) as a document with its history: real number and
past date, earlier versions from the history table, paper signers kept apart from
e-signatures, processes and types created for a quality lead, all or nothing, and only for
those who may import."""

from __future__ import annotations

import io
import json
from datetime import date

import docx
import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.core.errors import Conflict, PermissionDenied, ValidationFailed
from qms.core.localtime import local_today
from qms.documents.history import version_history
from qms.documents.in_force import in_force_on
from qms.documents.models import Document, DocumentType, DocumentVersion
from qms.documents.queries import version_in_force
from qms.documents.verify import verify_signatures
from qms.processes.models import Process
from qms.trail.models import TrailEvent
from qms.word.importing import import_document, import_draft
from qms.word.parsed import HistoryRow, Parsed, Person
from tests.documents_fixtures import build_org, new_document, through_approval, user
from tests.helpers import trail_events


def _docx() -> bytes:
    """A real (empty) .docx: the blob store checks what it keeps by its bytes."""
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


FILE = _docx()
SIPOC = {
    "kind": "sipoc",
    "title": "SIPOC",
    "rows": [
        {
            "phase": "H",
            "suppliers": "Usuarios",
            "inputs": "PQRS",
            "activity": "Atender al usuario",
            "outputs": "Respuesta",
            "clients": "Usuarios",
        }
    ],
}


def _parsed(**changes: object) -> Parsed:
    values: dict[str, object] = {
        "code": "O.BP.C10",
        "title": "Caracterización de Atención al Cliente",
        "number": 3,
        "effective_from": date(2025, 8, 31),
        "process": "Atención al Cliente",
        "type_name": "Caracterización",
        "people": [
            Person("authored", "Olga Ruiz", "Jefe de Atención", date(2025, 8, 20)),
            Person("approved", "Ana Díaz", "Gerente", date(2025, 8, 30)),
        ],
        "blocks": [{"kind": "text", "text": "### Objetivo\n\nAtender."}, SIPOC],
        "history": [
            HistoryRow(1, date(2019, 3, 1), "Creación del documento", "Luis Pérez"),
            HistoryRow(2, date(2022, 5, 10), "Se ajusta el SIPOC", "Olga Ruiz"),
            HistoryRow(3, date(2025, 8, 31), "Nuevo indicador", "Olga Ruiz"),
        ],
    }
    values.update(changes)
    return Parsed(**values)  # type: ignore[arg-type]


def _import(app: Flask, actor_id: int, parsed: Parsed) -> int:
    with app.app_context():
        imported = import_document(
            db.session,
            app.extensions["qms_store"],
            user(actor_id),
            parsed,
            data=FILE,
            filename="caracterizacion.docx",
        )
        db.session.commit()
        return imported.document_id


def test_a_quality_lead_imports_a_document_with_its_history(app: Flask) -> None:
    org = build_org(app)
    document_id = _import(app, org.approver_id, _parsed())
    with app.app_context():
        document = db.session.get(Document, document_id)
        assert document is not None and document.code == "O.BP.C10"
        assert document.process_id == org.process_id  # matched by name, accents and all
        assert document.type.key == "characterization"
        versions = sorted(document.versions, key=lambda v: v.number)
        assert [(v.number, v.state, v.effective_from) for v in versions] == [
            (1, "superseded", date(2019, 3, 1)),
            (2, "superseded", date(2022, 5, 10)),
            (3, "effective", date(2025, 8, 31)),
        ]
        current = versions[-1]
        assert version_in_force(db.session, document_id).id == current.id  # type: ignore[union-attr]
        assert current.content[1]["rows"][0]["activity"] == "Atender al usuario"
        assert current.change_summary == "Nuevo indicador"
        assert [a.filename for a in current.attachments] == ["caracterizacion.docx"]
        assert current.signatures == [] and current.imported_at is not None
        # "In force on D" reads the imported dates like any others.
        assert in_force_on(db.session, [document_id], date(2023, 1, 1)) == {
            document_id: versions[1].id
        }
        rows = version_history(db.session, user(org.approver_id), document)
        assert [(r.number, r.imported) for r in rows] == [(3, True), (2, True), (1, True)]
        assert rows[0].authored == ("Olga Ruiz — Jefe de Atención",)
        assert rows[0].approved == ("Ana Díaz — Gerente",)
        assert rows[2].authored == ("Luis Pérez",)
        # Signed on paper, not here: verified for its content, not for missing e-signatures.
        report = verify_signatures(db.session, app.extensions["qms_store"])
        assert report.ok, [b.describe() for b in report.broken]
    (event,) = trail_events(app, "document:import")
    assert event.object_id == str(document_id)
    after = json.loads(event.after)
    assert (after["history"], after["number"], after["code"]) == ([1, 2], 3, "O.BP.C10")


def test_a_future_effective_date_waits_and_the_last_history_row_is_not_in_force(
    app: Flask,
) -> None:
    org = build_org(app)
    with app.app_context():
        later = date(local_today().year + 1, 1, 15)
    document_id = _import(app, org.approver_id, _parsed(effective_from=later))
    with app.app_context():
        states = {
            v.number: v.state
            for v in db.session.scalars(
                sa.select(DocumentVersion).where(DocumentVersion.document_id == document_id)
            )
        }
        assert states == {1: "superseded", 2: "superseded", 3: "approved"}


def test_a_missing_process_and_type_are_created_and_reported(app: Flask) -> None:
    org = build_org(app)
    with app.app_context():
        imported = import_document(
            db.session,
            app.extensions["qms_store"],
            user(org.approver_id),
            _parsed(process="Gestión del Capital Relacional", type_name="Protocolo"),
            data=FILE,
            filename="x.docx",
        )
        db.session.commit()
        process = db.session.scalar(
            sa.select(Process).where(Process.name == "Gestión del Capital Relacional")
        )
        doc_type = db.session.scalar(
            sa.select(DocumentType).where(DocumentType.name == "Protocolo")
        )
        assert process is not None and process.code == "GCR"
        assert doc_type is not None
        assert imported.created == ["process:GCR", f"document_type:{doc_type.key}"]
    assert len(trail_events(app, "process:create")) == 2  # build_org's and the import's


def test_staff_may_not_import_and_nothing_is_stored(app: Flask) -> None:
    org = build_org(app)
    with app.app_context(), pytest.raises(PermissionDenied):
        import_document(
            db.session,
            app.extensions["qms_store"],
            user(org.owner_id),
            _parsed(),
            data=FILE,
            filename="x.docx",
        )
    assert trail_events(app, "document:import") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "ÑU 12/3"}, "code"),
        ({"title": " "}, "title"),
        ({"number": 0}, "number"),
        ({"blocks": [{"kind": "nope"}]}, None),
        ({"process": "", "macroprocess": ""}, "process_id"),
    ],
)
def test_bad_files_are_refused_whole(app: Flask, changes: dict, field: str | None) -> None:
    org = build_org(app)
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent))
        with pytest.raises(ValidationFailed) as refused:
            import_document(
                db.session,
                app.extensions["qms_store"],
                user(org.approver_id),
                _parsed(**{"process": "Proceso Nuevo", **changes}),
                data=FILE,
                filename="x.docx",
            )
        if field:
            assert refused.value.field == field
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Process)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent)) == before


def test_a_code_already_here_is_a_conflict(app: Flask) -> None:
    org = build_org(app)
    _import(app, org.approver_id, _parsed())
    with app.app_context(), pytest.raises(Conflict):
        import_document(
            db.session,
            app.extensions["qms_store"],
            user(org.approver_id),
            _parsed(code="o.bp.c10"),
            data=FILE,
            filename="x.docx",
        )


def test_a_file_becomes_the_next_draft_of_a_document_here(app: Flask) -> None:
    org = build_org(app)
    document_id, version_id = new_document(app, org)
    through_approval(app, org, version_id)
    with app.app_context():
        draft = import_draft(
            db.session,
            app.extensions["qms_store"],
            user(org.owner_id),
            document_id,
            _parsed(),
            data=FILE,
            filename="nueva.docx",
        )
        db.session.commit()
        assert (draft.number, draft.state) == (2, "draft")
        assert draft.blocks == {"text": 1, "sipoc": 1}
        with pytest.raises(Conflict):  # one open version at a time
            import_draft(
                db.session,
                app.extensions["qms_store"],
                user(org.owner_id),
                document_id,
                _parsed(),
                data=FILE,
                filename="otra.docx",
            )
    assert len(trail_events(app, "document:import")) == 1
