"""A submit racing an edit or an attachment of the same draft, through real processes.

The author's signature must hold the hash of exactly the content the submit froze: either the
edit lands first and is what was signed, or the submit wins and the edit is refused (409).
The submitter's password is checked with a full-cost scrypt, which leaves the racing edit the
same window a real server does.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms import create_app
from qms.core.db import db
from qms.core.errors import Conflict
from qms.documents import approval, authoring
from qms.documents.blocks import content_hash
from qms.documents.models import Attachment, DocumentVersion, Signature, VersionState
from qms.users.models import User
from tests.conftest import build_settings
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import PASSWORD, make_user

pytestmark = [pytest.mark.sql, pytest.mark.slow]

RACES = 20
SLOW_HASH = "scrypt:32768:8:1"  # the production cost: the check takes tens of milliseconds


def _act(app: Flask, task: tuple[str, int, int], barrier: Any) -> str:
    what, user_id, version_id = task
    with app.app_context():
        session = db.session
        actor = session.get(User, user_id)
        barrier.wait(60)
        if what != "submit":
            # Land somewhere inside the submitter's password check.
            time.sleep(random.uniform(0.0, 0.04))
        try:
            if what == "submit":
                approval.submit_version(session, actor, version_id, PASSWORD)
            elif what == "edit":
                authoring.update_draft(
                    session,
                    actor,
                    version_id,
                    content=[{"kind": "text", "text": f"Texto editado {time.time_ns()}"}],
                )
            else:
                authoring.add_attachment(
                    session,
                    app.extensions["qms_store"],
                    actor,
                    version_id,
                    data=f"%PDF-1.4 anexo {time.time_ns()}".encode(),
                    filename="anexo.pdf",
                    media_type="application/pdf",
                )
            session.commit()
            return "ok"
        except Conflict:
            session.rollback()
            return "conflict"
        except Exception as exc:  # reported, so the assertion shows it
            session.rollback()
            return repr(exc)


def _worker(url: str, tmp: str, tasks: Any, results: Any, barrier: Any) -> None:
    app = create_app(build_settings(Path(tmp), url))
    try:
        results.put("ready")
        while (task := tasks.get(timeout=120)) is not None:
            results.put((task[0], _act(app, task, barrier)))
    except Exception as exc:
        results.put(("error", repr(exc)))
    finally:
        app.extensions["qms_db"].engine.dispose()


@pytest.fixture
def org(app: Flask) -> Org:
    """The organisation, its people's passwords hashed at the production cost."""
    cheap = app.config["QMS_PASSWORD_HASH_METHOD"]
    app.config["QMS_PASSWORD_HASH_METHOD"] = SLOW_HASH
    built = build_org(app)
    app.config["QMS_PASSWORD_HASH_METHOD"] = cheap
    return built


def _disagreements(app: Flask, version_ids: list[int]) -> list[str]:
    """Submitted versions whose stored content, recorded hash and signature disagree."""
    found = []
    with app.app_context():
        session = db.session
        for version_id in version_ids:
            version = session.get(DocumentVersion, version_id)
            assert version is not None
            if version.state == VersionState.DRAFT:
                found.append(f"v{version_id} was never submitted")
                continue
            files = session.scalars(
                sa.select(Attachment.blob_sha256).where(Attachment.version_id == version_id)
            )
            actual = content_hash(version.content, list(files))
            signed = session.scalars(
                sa.select(Signature.content_sha256).where(Signature.version_id == version_id)
            ).all()
            if {actual, version.content_sha256} != set(signed):
                found.append(
                    f"v{version_id}: content {actual[:8]}, recorded "
                    f"{version.content_sha256[:8]}, signed {[s[:8] for s in signed]}"
                )
    return found


@pytest.mark.parametrize("rival", ["edit", "attach"])
def test_a_signature_holds_the_hash_of_what_the_submit_froze(app, org, tmp_path, rival):
    url = app.extensions["qms_db"].url
    editor = make_user(app, "editora", ["quality_lead"]).id
    ctx = multiprocessing.get_context("spawn")
    tasks, results, barrier = ctx.Queue(), ctx.Queue(), ctx.Barrier(2)
    workers = [
        ctx.Process(target=_worker, args=(url, str(tmp_path / f"w{n}"), tasks, results, barrier))
        for n in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes: list[tuple[str, str]] = []
    version_ids = []
    try:
        assert [results.get(timeout=60) for _ in workers] == ["ready", "ready"]
        for _ in range(RACES):
            _, version_id = new_document(app, org)
            version_ids.append(version_id)
            tasks.put(("submit", org.owner_id, version_id))
            tasks.put((rival, editor, version_id))
            outcomes += [results.get(timeout=60) for _ in workers]
    finally:
        for _ in workers:
            tasks.put(None)
        for worker in workers:
            worker.join(20)
            if worker.is_alive():
                worker.kill()
                worker.join()
    unexpected = [o for o in outcomes if o[1] not in ("ok", "conflict")]
    assert not unexpected, unexpected
    assert ("submit", "conflict") not in outcomes  # an edit never stops the author submitting
    assert _disagreements(app, version_ids) == []
    with app.app_context():
        assert all(
            user(org.owner_id).id == s.user_id
            for s in db.session.scalars(sa.select(Signature).where(Signature.meaning == "authored"))
        )
