"""`qms print`: same permissions and trail as the pages, for batch work."""

from __future__ import annotations

import re
from io import BytesIO

from pypdf import PdfReader

from qms.cli import main
from qms.core.db import db
from qms.documents import approval
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, trail_events


def _effective(app):
    org = build_org(app)
    _, version_id = new_document(app, org)
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()


def test_print_uncontrolled_and_controlled_copies_from_the_command_line(app, tmp_path):
    _effective(app)
    runner = app.test_cli_runner()
    out = tmp_path / "copy.pdf"
    result = runner.invoke(main, ["print", "ac-pr-01", "--as", "sara", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(out.read_bytes())).pages)
    assert "AC-PR-01" in text and "COPIA NO CONTROLADA" in text and "/verify/" in text
    controlled = tmp_path / "controlled.pdf"
    result = runner.invoke(
        main,
        [
            "print",
            "AC-PR-01",
            "--controlled",
            "--holder",
            "Archivo",
            "--as",
            "ana",
            "-o",
            str(controlled),
        ],
    )
    assert result.exit_code == 0, result.output
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(controlled.read_bytes())).pages)
    assert "COPIA CONTROLADA N° 1" in text and "Archivo" in text
    prints = trail_events(app, "document:print")
    assert [e.actor_name for e in prints] == ["sara", "ana"]
    assert {e.client_address for e in prints} == {"cli"}
    # Each copy's link names that copy, as the pages' prints do.
    client = app.test_client()
    for pdf, names in ((out, "Sara"), (controlled, "Archivo")):
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.read_bytes())).pages)
        path = re.search(r"https?://[^/\s]+(/verify/[A-Za-z0-9_.\-]+)", text).group(1)
        page = client.get(path)
        assert page.status_code == 200 and names in page.get_data(as_text=True)


def test_staff_cannot_issue_a_controlled_copy_from_the_command_line(app, tmp_path):
    _effective(app)
    out = tmp_path / "x.pdf"
    result = app.test_cli_runner().invoke(
        main, ["print", "AC-PR-01", "--controlled", "--holder", "X", "--as", "sara", "-o", str(out)]
    )
    assert result.exit_code != 0 and not out.exists()
    assert trail_events(app, "copy:issue") == []
