"""`qms demo` also builds the three example documents with their history, once."""

from __future__ import annotations

import sqlalchemy as sa

from qms.core.db import db
from qms.demo import demo_command
from qms.demo.documents import call_centre, customer_service, examples_dir, procedure
from qms.documents import approval
from qms.documents.blocks import clean_blocks
from qms.documents.cli import signatures_group
from qms.documents.models import Document, DocumentVersion, Signature
from qms.trail.services import verify_chain
from tests.helpers import trail_events

EXPECTED = {
    "CSC-AC-CR-01": {1: "superseded", 2: "effective"},
    "CL-CR-01": {1: "effective", 2: "in_review"},
    # v2 comes from the corrective action of the demo's PQRS nonconformity.
    "PD-GCR-MR-002": {1: "superseded", 2: "effective"},
    "PD-GCR-MR-002-FO-01": {1: "effective"},
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
        # Segregation of duties: the author never reviews or approves, the reviewer never
        # approves; the general manager (approver role, no quality-lead powers) approves.
        assert signers == {("authored", "lider"), ("reviewed", "calidad"), ("approved", "gerente")}
        csc = documents["CSC-AC-CR-01"].versions
        assert csc[1].change_summary.startswith("Se incluyen los recursos")
        assert [b["kind"] for b in csc[1].content][:4] == ["text", "sipoc", "resources", "controls"]
        form = documents["PD-GCR-MR-002-FO-01"]
        assert form.parent_id == documents["PD-GCR-MR-002"].id and form.type.key == "form"
        assert verify_chain(db.session)[1] is None
    assert len(trail_events(app, "document:create")) == 4
    # CL-CR-01 and the form's code are generated; the other two are corrected to the examples'.
    assert len(trail_events(app, "document:correct_code")) == 2
    result = runner.invoke(signatures_group, ["verify"])
    assert result.exit_code == 0, result.output
    assert "7 signed versions, 19 signatures" in result.output


def test_demo_tells_the_clause_10_2_story(app):
    from qms.capa.models import Nonconformity
    from qms.capa.pqrs_models import PqrsRequest

    assert app.test_cli_runner().invoke(demo_command).exit_code == 0
    with app.app_context():
        ncs = db.session.scalars(sa.select(Nonconformity).order_by(Nonconformity.id)).all()
        assert [(nc.source, nc.state) for nc in ncs] == [
            ("pqrs", "awaiting_check"),
            ("internal_audit", "closed"),
            ("process", "in_progress"),
            ("internal_audit", "in_progress"),  # the major finding of the demo's closed audit
        ]
        complaint = db.session.scalar(sa.select(PqrsRequest))
        assert complaint.nonconformity_id == ncs[0].id and complaint.state == "closed"
        assert complaint.answered_on > complaint.term_due_on  # answered late: the NC's cause
        [action] = ncs[0].actions
        version = db.session.scalar(
            sa.select(DocumentVersion).where(
                DocumentVersion.change_request_id == action.change_request_id
            )
        )
        assert (version.number, version.state, action.status) == (2, "effective", "done")
        overdue = ncs[2].actions[0]
        assert overdue.status == "planned" and overdue.due_on < approval.today()


def test_the_examples_parse_into_valid_structured_blocks(app):
    root = examples_dir()
    assert root is not None

    def lines(name: str) -> list[str]:
        return (root / name).read_text(encoding="utf-8").splitlines()

    v1, v2 = customer_service(lines("caracterizacion-atencion-al-cliente-CSC-AC-CR-01.txt"))
    call = call_centre(lines("caracterizacion-centro-de-llamadas.txt"))
    steps = procedure(lines("procedimiento-mantener-relaciones-PD-GCR-MR-002.txt"), "FO-X")
    with app.app_context():
        for content in (v1, v2, call, steps):
            cleaned = clean_blocks(content)  # valid as parsed, nothing dropped
            assert [b["kind"] for b in cleaned] == [b["kind"] for b in content]
            assert clean_blocks(cleaned) == cleaned
    assert v1[0]["text"].startswith("### Objetivo\n\nEstablecer actividades")
    rows = v1[1]["rows"]
    phases = [row["phase"] for row in rows]
    # The HACER rows continue after a page break that repeats the document header, and the
    # last ACTUAR row was exported as five loose lines.
    assert (phases.count("P"), phases.count("H"), phases.count("V"), phases.count("A")) == (
        5,
        7,
        4,
        3,
    )
    assert rows[-1]["activity"] == "Realizar segundas evaluaciones de satisfacción del cliente"
    requirements = next(b for b in v2 if b["kind"] == "requirements")
    assert requirements["iso"] == ["5.1.2", "8.2", "8.2.1", "9.1.2"]
    assert len(call[1]["rows"]) == 27 and call[1]["rows"][0]["suppliers"] == "zonas"
    assert call[2]["internal"] == ["Políticas O.S.A", "Norma ISO 9001:2008"]
    listed = steps[1]["steps"]
    assert [(s["id"], s["task"]) for s in (listed[0], listed[-1])] == [
        ("1", "Manifestar pqrsl"),
        ("45", "Fin"),
    ]
    assert "<p>" not in listed[31]["how"] and "\n\n" in listed[31]["how"]
    decision = listed[1]["decision"]
    assert decision == {"question": "¿ El canal de recepción es presencial?", "yes": "3", "no": "4"}
    assert [s["id"] for s in listed if s["form_code"] == "FO-X"] == ["15", "16"]
