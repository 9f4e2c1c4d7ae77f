"""`qms demo` also builds the three example documents with their history, once."""

from __future__ import annotations

import sqlalchemy as sa

from qms.core.db import db
from qms.demo import demo_command
from qms.demo_documents import call_centre, customer_service, examples_dir, procedure
from qms.documents.cli import signatures_group
from qms.documents.models import Document, Signature
from qms.trail.services import verify_chain
from tests.helpers import trail_events

EXPECTED = {
    "CSC-AC-CR-01": {1: "superseded", 2: "effective"},
    "CL-CR-01": {1: "effective", 2: "in_review"},
    "PD-GCR-MR-002": {1: "effective"},
}


def _states(app) -> dict[str, dict[int, str]]:
    with app.app_context():
        documents = db.session.scalars(sa.select(Document).order_by(Document.code)).all()
        return {d.code: {v.number: v.state for v in d.versions} for d in documents}


def test_demo_twice_builds_the_documents_once(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(demo_command)
        assert result.exit_code == 0, result.output
    assert _states(app) == EXPECTED
    with app.app_context():
        documents = {d.code: d for d in db.session.scalars(sa.select(Document))}
        assert documents["PD-GCR-MR-002"].process.code == "GCR"
        assert documents["CL-CR-01"].type.key == "characterization"
        assert all(d.owner.username == "lider" and d.code_locked for d in documents.values())
        signers = {(s.meaning, s.user.username) for s in db.session.scalars(sa.select(Signature))}
        # Segregation of duties: the author never reviews or approves.
        assert signers == {("authored", "lider"), ("reviewed", "calidad"), ("approved", "calidad")}
        csc = documents["CSC-AC-CR-01"].versions
        assert csc[1].change_summary.startswith("Se incluyen los recursos")
        assert [b["kind"] for b in csc[1].content][:3] == ["text", "text", "table"]
        assert verify_chain(db.session)[1] is None
    assert len(trail_events(app, "document:create")) == 3
    # CL-CR-01 is the generated code already; the other two are corrected to the examples'.
    assert len(trail_events(app, "document:correct_code")) == 2
    result = runner.invoke(signatures_group, ["verify"])
    assert result.exit_code == 0, result.output
    assert "5 signed versions, 13 signatures" in result.output


def test_the_examples_parse_into_blocks():
    root = examples_dir()
    assert root is not None

    def lines(name: str) -> list[str]:
        return (root / name).read_text(encoding="utf-8").splitlines()

    v1, v2 = customer_service(lines("caracterizacion-atencion-al-cliente-CSC-AC-CR-01.txt"))
    assert v1[0]["text"].startswith("### Objetivo\n\nEstablecer actividades")
    assert [b["title"] for b in v1 if b["kind"] == "table"] == [
        "SIPOC – Planear",
        "SIPOC – Hacer",
        "SIPOC – Verificar",
        "SIPOC – Actuar",
    ]
    # The HACER table continues after a page break that repeats the document header.
    assert len(v1[3]["rows"]) == 7
    assert "9.1.2 Satisfacción del cliente" in v2[-1]["text"]
    call = call_centre(lines("caracterizacion-centro-de-llamadas.txt"))
    assert len(call[1]["rows"]) == 27 and call[1]["rows"][0][0] == "zonas"
    assert "Norma ISO 9001:2008" in call[2]["text"]
    steps = procedure(lines("procedimiento-mantener-relaciones-PD-GCR-MR-002.txt"))
    rows = steps[3]["rows"]
    assert [r[0] for r in (rows[0], rows[-1])] == ["1. Manifestar pqrsl", "45. Fin"]
    assert "<p>" not in rows[31][2] and "\n\n" in rows[31][2]
