"""Done when: each real example, authored as structured content through the editor's form and
approved, prints as a controlled copy whose PDF text holds its code, version, stamp, holder and
every SIPOC row or step."""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from qms.core.db import db
from qms.demo.documents import examples_dir
from qms.demo.parsing import call_centre, customer_service, procedure
from qms.documents import approval
from qms.documents.authoring import create_document
from qms.documents.blocks import clean_blocks
from qms.documents.models import DocumentVersion
from qms.printing.models import ControlledCopy
from tests.documents_fixtures import build_org, type_id, user
from tests.helpers import PASSWORD, csrf_token, login, trail_events

pytestmark = pytest.mark.slow
HOLDER = "Recepción — sede Manizales"


def _examples():
    root = examples_dir()
    assert root is not None

    def lines(name: str) -> list[str]:
        return (root / name).read_text(encoding="utf-8").splitlines()

    _v1, csc = customer_service(lines("caracterizacion-atencion-al-cliente-CSC-AC-CR-01.txt"))
    return [
        ("characterization", "Caracterización Atención al Cliente", csc),
        (
            "characterization",
            "Caracterización Centro de Llamadas",
            call_centre(lines("caracterizacion-centro-de-llamadas.txt")),
        ),
        (
            "procedure",
            "Procedimiento Mantener Relaciones",
            procedure(lines("procedimiento-mantener-relaciones-PD-GCR-MR-002.txt")),
        ),
    ]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _expected_lines(content: list[dict]) -> list[str]:
    """What a reader must find in the copy: every SIPOC activity, every step's task."""
    wanted = []
    for block in content:
        if block["kind"] == "sipoc":
            wanted += [row["activity"] for row in block["rows"]]
        elif block["kind"] == "steps":
            wanted += [
                (step["decision"] or {}).get("question") or step["task"] for step in block["steps"]
            ]
    return wanted


@pytest.mark.parametrize("index", [0, 1, 2], ids=["csc", "call-centre", "procedure"])
def test_each_example_is_authored_structured_and_printed_as_a_controlled_copy(app, index):
    type_key, title, content = _examples()[index]
    org = build_org(app)
    with app.app_context():
        document = create_document(
            db.session,
            user(org.owner_id),
            type_id=type_id(type_key),
            process_id=org.process_id,
            title=title,
        )
        db.session.commit()
        code, version_id = document.code, document.versions[0].id

    # The block editor posts the whole content as JSON: the same request the browser sends.
    owner = app.test_client()
    login(owner, "olga")
    data = {
        "csrf_token": csrf_token(owner, "/dashboard"),
        "content_json": json.dumps(content, ensure_ascii=False),
        "change_summary": "",
        "op": "save",
    }
    response = owner.post(f"/documents/versions/{version_id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.test_request_context():
        stored = db.session.get(DocumentVersion, version_id).content
        assert stored == clean_blocks(content)
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()

    lead = app.test_client()
    login(lead, "ana")
    issued = lead.post(
        f"/copies/versions/{version_id}",
        data={"csrf_token": csrf_token(lead, "/dashboard"), "holder": HOLDER},
    )
    assert issued.status_code == 302
    with app.app_context():
        copy_id = db.session.scalar(sa.select(ControlledCopy.id))
    response = lead.get(f"/copies/{copy_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _flat("\n".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages))

    assert code in text and title in text
    assert re.search(r"VERSIÓN\s.*\b1\b", text)
    assert "COPIA CONTROLADA N° 1" in text and HOLDER in text
    missing = [line for line in _expected_lines(stored) if _flat(line) not in text]
    assert missing == [], f"{len(missing)} rows or steps not in the PDF: {missing[:3]}"
    assert len(_expected_lines(stored)) >= (19 if index == 0 else 27 if index == 1 else 45)
    [printed] = trail_events(app, "document:print")
    assert '"copy":"controlled"' in printed.after and HOLDER in printed.after
