"""Structured blocks: one validated model, read by the page, the print layout and the redline."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.documents import approval
from qms.documents.authoring import create_document, update_draft
from qms.documents.blocks import clean_blocks
from qms.documents.models import DocumentType, DocumentVersion
from qms.documents.rendering import render_block
from qms.printing.render import print_block
from tests.documents_fixtures import build_org, new_document, type_id, user
from tests.helpers import PASSWORD

STEPS = {
    "kind": "steps",
    "title": "Actividades",
    "steps": [
        {"id": "1", "task": "Recibir la PQRS", "who": "Auxiliar", "form_code": "fo-1"},
        {"id": "2", "decision": {"question": "¿Es una queja?", "yes": "3", "no": "4"}},
        {"id": "3", "task": "Analizar la causa <urgente>", "who": "Líder"},
        {"id": "4", "task": "Responder", "who": "Auxiliar"},
        {"id": "", "task": "", "who": ""},  # an empty step the editor added: dropped
    ],
}


def _clean(app, block):
    with app.test_request_context():
        return clean_blocks([block])[0]


def test_steps_are_normalised_and_decisions_point_at_real_steps(app):
    steps = _clean(app, STEPS)["steps"]
    assert [s["id"] for s in steps] == ["1", "2", "3", "4"]
    assert steps[0]["form_code"] == "FO-1" and steps[0]["decision"] is None
    assert steps[1]["decision"] == {"question": "¿Es una queja?", "yes": "3", "no": "4"}
    broken = {**STEPS, "steps": [*STEPS["steps"][:2], STEPS["steps"][3]]}
    with pytest.raises(ValidationFailed, match="Actividad 2: elija otra actividad"):
        _clean(app, broken)
    twice = {**STEPS, "steps": [STEPS["steps"][0], STEPS["steps"][0]]}
    with pytest.raises(ValidationFailed, match="número de actividad 1 está repetido"):
        _clean(app, twice)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"kind": "sipoc", "rows": [{"phase": "X", "activity": "a"}]}, "fase PHVA"),
        ({"kind": "sipoc", "rows": [{"phase": "H", "inputs": "solo entradas"}]}, "Fila 1"),
        ({"kind": "indicators", "rows": [{"target": "95 %"}]}, "necesita un nombre"),
        ({"kind": "requirements", "iso": ["4.1", "11.9"]}, "11.9 no es un numeral"),
        ({"kind": "related", "codes": ["AC PR 01"]}, "no es un código"),
        ({"kind": "form_fields", "fields": [{"label": "Tipo", "type": "choice"}]}, "dos opciones"),
        ({"kind": "form_fields", "fields": [{"label": "A", "type": "video"}]}, "tipo de campo"),
        ({"kind": "controls", "rows": [{"activity": {"x": 1}}]}, "contienen texto"),
    ],
)
def test_bad_structured_blocks_are_refused_with_a_clear_message(app, block, message):
    with pytest.raises(ValidationFailed, match=message):
        _clean(app, block)


def test_sipoc_phases_accept_spanish_names_and_requirements_sort_by_clause(app):
    sipoc = _clean(app, {"kind": "sipoc", "rows": [{"phase": "verificar", "activity": "Medir"}]})
    assert sipoc["rows"][0]["phase"] == "V"
    requirements = _clean(app, {"kind": "requirements", "iso": ["10.2", "9.1.2", "4.1", "4.1"]})
    assert requirements["iso"] == ["4.1", "9.1.2", "10.2"]


def test_page_and_print_views_escape_values_and_draw_the_flowchart(app):
    block = _clean(app, STEPS)
    with app.test_request_context():
        page, printed = str(render_block(block)), str(print_block(block))
    for html in (page, printed):
        assert "Analizar la causa &lt;urgente&gt;" in html and "<urgente>" not in html
        assert "<svg" in html and "¿Es una queja?" in html
        assert "Sí → actividad 3 · No → actividad 4" in html
    # The form the step produces is named; it does not exist, so nothing links to it.
    assert "FO-1" in page and "<a " not in page.split("FO-1")[0][-40:]


def test_related_documents_always_show_the_version_in_force(app):
    org = build_org(app)
    document_id, version_id = new_document(app, org, title="Atención de PQRS", key="procedure")
    with app.app_context():
        code = db.session.get(DocumentVersion, version_id).document.code
    block = {"kind": "related", "title": "Documentos", "codes": [code, "NO-EXISTE-01"]}
    with app.test_request_context():
        html = str(render_block(_clean(app, block)))
    assert "Sin versión vigente" in html and "No existe el documento" in html
    with app.app_context():
        for step in (approval.submit_version, approval.review_version, approval.approve_version):
            signer = {
                approval.submit_version: org.owner_id,
                approval.review_version: org.reviewer_id,
            }.get(step, org.approver_id)
            step(db.session, user(signer), version_id, PASSWORD)
        db.session.commit()
    with app.test_request_context():
        page, printed = str(render_block(block)), str(print_block(block))
    assert "Atención de PQRS" in page and "Versión 1, vigente desde" in page
    assert f'href="/documents/{document_id}"' in page and "href" not in printed


def test_a_new_characterisation_starts_with_the_examples_blocks(app):
    org = build_org(app)
    with app.test_request_context(headers={"Accept-Language": "es"}):
        kinds = db.session.scalar(
            sa.select(DocumentType.default_blocks).where(DocumentType.key == "characterization")
        )
        assert kinds == [
            "text",
            "sipoc",
            "resources",
            "controls",
            "indicators",
            "requirements",
            "related",
        ]
        document = create_document(
            db.session,
            user(org.owner_id),
            type_id=type_id("characterization"),
            process_id=org.process_id,
            title="Caracterización",
        )
        content = document.versions[0].content
        assert [b["kind"] for b in content] == kinds
        assert (
            "### Objetivo" in content[0]["text"] and "### Líder del proceso" in content[0]["text"]
        )
        assert content[1]["title"] == "SIPOC por fase PHVA"
        # The starting blocks are valid as they are: the author can save before filling them.
        update_draft(db.session, user(org.owner_id), document.versions[0].id, content=content)
