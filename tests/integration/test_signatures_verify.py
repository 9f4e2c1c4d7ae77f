"""`qms signatures verify` against tampering in the database and on disk, and `qms tick`."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.core.db import db
from qms.documents import approval, authoring
from qms.documents.cli import signatures_group
from qms.documents.models import DocumentVersion, VersionState
from qms.tick import tick_command
from tests.db_guards import guard_lifted
from tests.documents_fixtures import Org, build_org, new_document, through_approval, user
from tests.helpers import days_pass, trail_events

TRIGGER = "trg_document_versions_immutable"


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


def _signed_document_with_file(app: Flask, org: Org) -> tuple[int, str]:
    """An effective AC-PR-01 v1 with one attachment; returns (version id, blob sha256)."""
    _, version_id = new_document(app, org)
    with app.app_context():
        attachment = authoring.add_attachment(
            db.session,
            app.extensions["qms_store"],
            user(org.owner_id),
            version_id,
            data=b"%PDF-1.4 flujograma de PQRS",
            filename="flujograma.pdf",
            media_type="application/pdf",
        )
        db.session.commit()
        sha256 = attachment.blob_sha256
    through_approval(app, org, version_id)
    return version_id, sha256


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(signatures_group, ["verify"])
    return result.exit_code, result.output


@pytest.mark.sql
def test_intact_versions_pass_and_drafts_are_not_counted(app, org):
    _signed_document_with_file(app, org)
    new_document(app, org, title="Borrador sin firmar")
    code, output = _verify(app)
    assert code == 0, output
    assert "1 signed versions, 3 signatures and 1 attachments checked: 0 broken." in output


@pytest.mark.sql
def test_the_guard_refuses_the_tampering_it_lifts(app, org):
    version_id, _ = _signed_document_with_file(app, org)
    engine = app.extensions["qms_db"].engine
    with pytest.raises(sa.exc.DatabaseError), engine.begin() as connection:
        connection.execute(
            sa.update(DocumentVersion)
            .where(DocumentVersion.id == version_id)
            .values(content=[{"kind": "text", "text": "otro"}])
        )


@pytest.mark.sql
def test_edited_content_is_named(app, org):
    version_id, _ = _signed_document_with_file(app, org)
    with guard_lifted(app, TRIGGER) as connection:
        connection.execute(
            sa.update(DocumentVersion)
            .where(DocumentVersion.id == version_id)
            .values(content=[{"kind": "text", "text": "Objetivo: responder cuando se pueda."}])
        )
    code, output = _verify(app)
    assert code == 1
    assert f"BROKEN AC-PR-01 v1 (version id {version_id})" in output
    assert "content does not match its recorded hash" in output
    assert "1 broken." in output


@pytest.mark.sql
def test_content_rehashed_by_the_attacker_no_longer_matches_the_signatures(app, org):
    version_id, sha256 = _signed_document_with_file(app, org)
    from qms.documents.blocks import content_hash

    forged = [{"kind": "text", "text": "Objetivo: otro."}]
    with guard_lifted(app, TRIGGER) as connection:
        connection.execute(
            sa.update(DocumentVersion)
            .where(DocumentVersion.id == version_id)
            .values(content=forged, content_sha256=content_hash(forged, [sha256]))
        )
    code, output = _verify(app)
    assert code == 1
    assert "content does not match" not in output
    for meaning in ("authored", "reviewed", "approved"):
        assert f"({meaning}, " in output and "signed a different content" in output


@pytest.mark.sql
def test_a_version_marked_imported_behind_the_services_back_is_named(app, org):
    """Marking a signed version "signed on paper" does not hide its signatures' removal: only
    a version its document's import names is excused."""
    from qms.documents.models import Signature

    version_id, _ = _signed_document_with_file(app, org)
    with guard_lifted(app, TRIGGER, "trg_signatures_no_delete") as connection:
        connection.execute(sa.delete(Signature).where(Signature.version_id == version_id))
        connection.execute(
            sa.update(DocumentVersion)
            .where(DocumentVersion.id == version_id)
            .values(imported_at=sa.func.current_timestamp(), round=0)
        )
    code, output = _verify(app)
    assert code == 1
    assert "marked as imported, but no import in the trail names it" in output
    assert "no authored signature for the current submission" in output


def _blob_path(app: Flask, sha256: str) -> str:
    root = app.extensions["qms_store"].root
    return os.path.join(root, sha256[:2], sha256[2:4], sha256)


def test_a_blob_altered_on_disk_is_named(app, org):
    version_id, sha256 = _signed_document_with_file(app, org)
    path = _blob_path(app, sha256)
    os.chmod(path, 0o644)
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.4 otro flujograma")
    code, output = _verify(app)
    assert code == 1
    assert f"AC-PR-01 v1 (version id {version_id})" in output
    assert f"attachment {sha256[:12]}… altered in the blob store" in output


def test_a_missing_blob_is_named(app, org):
    _, sha256 = _signed_document_with_file(app, org)
    os.unlink(_blob_path(app, sha256))
    code, output = _verify(app)
    assert code == 1 and "missing from the blob store" in output


def test_tick_applies_what_is_due_once(app, org, monkeypatch):
    document_id, v1 = new_document(app, org)
    through_approval(app, org, v1)
    with app.app_context():
        draft = authoring.start_draft(db.session, user(org.owner_id), document_id)
        authoring.update_draft(
            db.session, user(org.owner_id), draft.id, change_summary="Nuevo canal de atención."
        )
        db.session.commit()
        v2 = draft.id
    tomorrow = approval.today() + timedelta(days=1)
    through_approval(app, org, v2, effective_from=tomorrow)
    runner = app.test_cli_runner()
    result = runner.invoke(tick_command)
    assert result.exit_code == 0 and "Nothing changed" in result.output
    days_pass(monkeypatch, 1)
    result = runner.invoke(tick_command)
    assert result.exit_code == 0, result.output
    assert f"AC-PR-01 v2 effective (effective from {tomorrow}), superseding v1" in result.output
    assert "1 version(s) took effect." in result.output
    again = runner.invoke(tick_command)
    assert again.exit_code == 0 and "Nothing changed" in again.output
    with app.app_context():
        states = dict(
            db.session.execute(
                sa.select(DocumentVersion.number, DocumentVersion.state).where(
                    DocumentVersion.document_id == document_id
                )
            ).all()
        )
        assert states == {1: VersionState.SUPERSEDED, 2: VersionState.EFFECTIVE}
    assert len(trail_events(app, "document:take_effect")) == 2
    assert len(trail_events(app, "document:supersede")) == 1
    assert _verify(app)[0] == 0
