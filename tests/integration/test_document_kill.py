"""`kill -9` during approvals: every version is wholly before or wholly after its transition.

A spawned child approves fresh documents in a loop, each approval its own committed
transaction, and is killed with SIGKILL at a random moment; several runs. Afterwards the
database must hold no half-approval: state, signature and trail event go together.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from qms import create_app
from qms.core.db import db
from qms.documents import approval
from qms.documents.authoring import create_document, update_draft
from qms.documents.cli import signatures_group
from qms.documents.models import DocumentVersion, Signature, VersionState
from qms.trail.models import TrailEvent
from qms.trail.services import verify_chain
from qms.users.models import User
from tests.conftest import build_settings
from tests.documents_fixtures import Org, build_org, type_id
from tests.helpers import PASSWORD

# The subject is SQL behaviour: both backends.
pytestmark = pytest.mark.sql

RUNS = 3
S = VersionState


def _approve_forever(url: str, tmp: str, org: Org, ready: Any, done: Any) -> None:
    """The child: prepare a version (one transaction), approve it (another), forever."""
    app = create_app(build_settings(Path(tmp), url))
    with app.app_context():
        session = db.session
        owner, reviewer, approver = (
            session.get(User, i) for i in (org.owner_id, org.reviewer_id, org.approver_id)
        )
        procedure = type_id("procedure")
        ready.set()
        for n in count():
            document = create_document(
                session, owner, type_id=procedure, process_id=org.process_id, title=f"Doc {n}"
            )
            version_id = document.versions[0].id
            update_draft(
                session, owner, version_id, content=[{"kind": "text", "text": f"Texto {n}"}]
            )
            approval.submit_version(session, owner, version_id, PASSWORD)
            approval.review_version(session, reviewer, version_id, PASSWORD)
            session.commit()
            approval.approve_version(session, approver, version_id, PASSWORD)
            session.commit()
            done.value = n + 1


def _run_and_kill(app: Flask, org: Org, tmp: Path, delay: float) -> int:
    """One child, killed `delay` seconds after it is ready; returns its committed approvals."""
    ctx = multiprocessing.get_context("spawn")
    ready, done = ctx.Event(), ctx.Value("i", 0)
    url = app.extensions["qms_db"].url
    child = ctx.Process(target=_approve_forever, args=(url, str(tmp), org, ready, done))
    child.start()
    try:
        assert ready.wait(60), "the child never started"
        time.sleep(delay)
        assert child.is_alive(), f"the child died on its own (exit code {child.exitcode})"
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
    finally:
        if child.is_alive():
            child.kill()
            child.join()
    assert child.exitcode == -signal.SIGKILL
    return int(done.value)


def _count(session: Any, stmt: sa.Select[Any]) -> dict[str, int]:
    return {str(key): n for key, n in session.execute(stmt).all()}


def _assert_whole(app: Flask) -> dict[str, int]:
    """No version is half-approved; returns how many versions are in each state."""
    with app.app_context():
        session = db.session
        states = dict(session.execute(sa.select(DocumentVersion.id, DocumentVersion.state)).all())
        approvals = _count(
            session,
            sa.select(Signature.version_id, sa.func.count())
            .where(Signature.meaning == "approved")
            .group_by(Signature.version_id),
        )
        events = {
            action: _count(
                session,
                sa.select(TrailEvent.object_id, sa.func.count())
                .where(TrailEvent.action == action)
                .group_by(TrailEvent.object_id),
            )
            for action in ("document:approve", "document:take_effect", "document:review")
        }
        for version_id, state in states.items():
            key = str(version_id)
            # Preparation is one transaction: a version exists only once reviewed.
            assert events["document:review"].get(key) == 1, (version_id, state)
            if state == S.EFFECTIVE:
                wanted = (1, 1, 1)
            else:
                assert state == S.IN_APPROVAL, (version_id, state)
                wanted = (0, 0, 0)
            found = (
                approvals.get(key, 0),
                events["document:approve"].get(key, 0),
                events["document:take_effect"].get(key, 0),
            )
            assert found == wanted, (version_id, state, found)
        checked, problem = verify_chain(session)
        assert problem is None, problem.describe()
        assert checked > 0
    result = app.test_cli_runner().invoke(signatures_group, ["verify"])
    assert result.exit_code == 0, result.output
    tally: dict[str, int] = {}
    for state in states.values():
        tally[state] = tally.get(state, 0) + 1
    return tally


@pytest.mark.slow
def test_sigkill_during_approvals_leaves_no_half_transition(app, tmp_path):
    org = build_org(app)
    rng = random.Random()
    delays = [round(rng.uniform(0.4, 1.6), 3) for _ in range(RUNS)]
    committed = 0
    for run, delay in enumerate(delays):
        committed += _run_and_kill(app, org, tmp_path / f"run{run}", delay)
        tally = _assert_whole(app)
    print(f"delays {delays}: {committed} approvals committed, states {tally}")  # shown by -rP
    assert committed > 0, f"no approval committed before the kills (delays {delays})"
    # Every approval the children reported committed survived the kill.
    assert tally.get(S.EFFECTIVE, 0) >= committed, (tally, committed, delays)
