"""Anchors of the trail head in the blob store: a chain shortened in the database is named.

Without anchors, deleting the newest events and setting the head back to the last one kept
left a chain that verified (test_deleted_newest_events_and_rewound_head_are_named failed).
"""

from __future__ import annotations

import logging
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.cli import main
from qms.core.db import db
from qms.trail import anchors
from qms.trail import services as trail
from qms.trail.models import GENESIS_HASH, TrailEvent, TrailHead
from tests.db_guards import TRAIL_GUARDS, guard_lifted

N_EVENTS = 5


def _record(app: Flask, count: int, start: int = 1) -> None:
    """`count` events in one transaction, committed."""
    with app.app_context():
        for n in range(start, start + count):
            trail.record(db.session, "thing:update", "thing", n, after={"n": n})
        db.session.commit()


@pytest.fixture
def chain(app: Flask) -> Flask:
    _record(app, N_EVENTS)
    return app


def _folder(app: Flask) -> Path:
    return anchors.folder_of(app)


def _files(app: Flask) -> list[str]:
    folder = _folder(app)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _hash(app: Flask, seq: int) -> str:
    with app.app_context():
        value = db.session.scalar(sa.select(TrailEvent.hash).where(TrailEvent.seq == seq))
        assert value is not None
        return value


def _verify(app: Flask) -> tuple[int, trail.ChainProblem | None]:
    with app.app_context():
        reading = anchors.read_anchors(_folder(app))
        assert reading.unreadable == []
        return trail.verify_chain(db.session, anchors=reading.anchors)


def _cli(app: Flask, *args: str, english: bool = True) -> tuple[int, str]:
    app.config["BABEL_DEFAULT_LOCALE"] = "en" if english else "es"
    result = app.test_cli_runner().invoke(main, ["trail", *args])
    return result.exit_code, result.output


def _cut_after(app: Flask, keep: int) -> None:
    """The attack: delete the events after `keep` and set the head back to it, by raw SQL."""
    head_hash = _hash(app, keep) if keep else GENESIS_HASH
    with guard_lifted(app, *TRAIL_GUARDS) as conn:
        conn.execute(sa.text("DELETE FROM trail_events WHERE seq > :k"), {"k": keep})
        conn.execute(
            sa.text("UPDATE trail_head SET seq = :k, hash = :h"), {"k": keep, "h": head_hash}
        )


def _today(app: Flask, now: datetime | None = None) -> str:
    zone = ZoneInfo(app.extensions["qms_settings"].timezone)
    return (now or datetime.now(UTC)).astimezone(zone).date().isoformat()


@pytest.mark.sql
def test_the_first_commit_of_the_day_anchors_the_head(chain: Flask) -> None:
    assert _files(chain) == [f"{_today(chain)}_{N_EVENTS:012d}.json"]
    reading = anchors.read_anchors(_folder(chain))
    (anchor,) = reading.anchors
    assert (anchor.seq, anchor.hash, anchor.reason) == (N_EVENTS, _hash(chain, N_EVENTS), "daily")
    path = _folder(chain) / anchor.name
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    _record(chain, 3, start=N_EVENTS + 1)  # later commits of the same day write no more
    assert len(_files(chain)) == 1


@pytest.mark.sql
def test_an_intact_chain_with_anchors_verifies(chain: Flask) -> None:
    _record(chain, 2, start=N_EVENTS + 1)
    assert _cli(chain, "anchor")[0] == 0  # a second anchor, at event 7
    _record(chain, 1, start=N_EVENTS + 3)
    assert _verify(chain) == (N_EVENTS + 3, None)
    code, output = _cli(chain, "verify")
    assert code == 0, output
    assert f"Trail intact: {N_EVENTS + 3} events verified." in output
    assert "Checked against 2 anchors; the newest" in output and "records event #7." in output


@pytest.mark.sql
def test_deleted_newest_events_and_rewound_head_are_named(chain: Flask) -> None:
    _cut_after(chain, 3)
    checked, problem = _verify(chain)
    assert checked == 3
    assert isinstance(problem, trail.AnchorProblem) and problem.is_truncation
    assert problem.seq == 4 and problem.chain_ends_at == 3 and problem.anchor.seq == N_EVENTS
    assert problem.reason.startswith("chain truncated: the anchor of")
    assert "records event #5, but the chain in the database ends at event #3" in problem.reason
    code, output = _cli(chain, "verify")
    assert code == 1
    day = _today(chain)
    assert (
        f"Trail BROKEN at event #4: chain truncated: the anchor of {day} records event #5, but "
        "the chain in the database ends at event #3"
    ) in output
    assert "3 events verified before it." in output
    code, output = _cli(chain, "verify", english=False)
    assert code == 1
    assert (
        f"cadena truncada: el ancla del {day} registra el evento #5, pero la cadena en la base "
        "de datos termina en el evento #3"
    ) in output


@pytest.mark.sql
def test_every_event_and_the_head_wiped_is_named(chain: Flask) -> None:
    _cut_after(chain, 0)
    checked, problem = _verify(chain)
    assert checked == 0 and isinstance(problem, trail.AnchorProblem)
    assert (problem.seq, problem.chain_ends_at) == (1, 0)
    code, output = _cli(chain, "verify")
    assert code == 1 and "BROKEN at event #1: chain truncated" in output


@pytest.mark.sql
def test_a_chain_cut_and_written_again_is_named_at_the_anchored_event(chain: Flask) -> None:
    """Cut back to 3, then new events 4..7 through the service: longer than the anchor, but
    event 5 is not the event the anchor saw."""
    _cut_after(chain, 3)
    _record(chain, 4, start=100)
    checked, problem = _verify(chain)
    assert isinstance(problem, trail.AnchorProblem) and not problem.is_truncation
    assert (checked, problem.seq) == (N_EVENTS - 1, N_EVENTS)
    assert "rewritten from this event or an earlier one" in problem.reason
    code, output = _cli(chain, "verify")
    assert (
        code == 1 and "BROKEN at event #5 (id " in output and "does not match the anchor" in output
    )


@pytest.mark.sql
def test_a_rolled_back_transaction_writes_no_anchor(app: Flask) -> None:
    with app.app_context():
        trail.record(db.session, "thing:update", "thing", 1)
        db.session.rollback()
        assert _files(app) == []
        # A savepoint released, then the whole transaction rolled back. (The outer transaction
        # starts with a write first: pysqlite sends BEGIN only before a write, and a SAVEPOINT
        # outside a transaction would be a transaction of its own, committed on release.)
        trail.record(db.session, "thing:update", "thing", 2)
        with db.session.begin_nested():
            trail.record(db.session, "thing:update", "thing", 3)
        db.session.rollback()
        assert _files(app) == []
        # An event in a savepoint rolled back, the rest committed with no event left.
        db.session.execute(sa.update(TrailHead).values(seq=TrailHead.seq))  # begins: no change
        savepoint = db.session.begin_nested()
        trail.record(db.session, "thing:update", "thing", 4)
        savepoint.rollback()
        db.session.commit()
        assert _files(app) == []
    _record(app, 1)
    assert _files(app) == [f"{_today(app)}_{1:012d}.json"]
    assert _verify(app) == (1, None)


def test_an_anchor_that_cannot_be_written_does_not_fail_the_change(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    folder = _folder(app)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("not a folder")  # the store is broken where the anchors go
    with caplog.at_level(logging.ERROR, logger="qms.trail.anchors"):
        _record(app, 2)
    assert any("trail anchor not written" in r.getMessage() for r in caplog.records)
    with app.app_context():
        assert trail.verify_chain(db.session) == (2, None)  # the change itself is committed
    folder.unlink()
    _record(app, 1, start=3)  # the next commit of the day tries again
    assert _files(app) == [f"{_today(app)}_{3:012d}.json"]


def test_each_local_day_gets_its_own_anchor(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    zone = ZoneInfo(app.extensions["qms_settings"].timezone)
    noon = datetime.now(zone).replace(hour=12, minute=0, second=0, microsecond=0)
    clock = {"now": noon.astimezone(UTC)}
    monkeypatch.setattr(anchors, "utcnow", lambda: clock["now"])
    _record(app, 2)
    clock["now"] = (noon + timedelta(hours=11, minutes=59)).astimezone(UTC)  # 23:59 local
    _record(app, 1, start=3)
    clock["now"] = (noon + timedelta(hours=12)).astimezone(UTC)  # the next local day
    _record(app, 1, start=4)
    day = noon.date()
    assert _files(app) == [
        f"{day.isoformat()}_{2:012d}.json",
        f"{(day + timedelta(days=1)).isoformat()}_{4:012d}.json",
    ]
    assert _verify(app) == (4, None)


def test_the_anchor_command_writes_on_demand_once_per_head(chain: Flask) -> None:
    _record(chain, 1, start=N_EVENTS + 1)
    code, output = _cli(chain, "anchor", "--reason", "backup")
    assert code == 0 and "Anchored event #6 (hash " in output
    assert _cli(chain, "anchor")[0] == 0  # no new event: the same anchor, kept as it was
    names = _files(chain)
    assert names == [f"{_today(chain)}_{n:012d}.json" for n in (N_EVENTS, N_EVENTS + 1)]
    newest = anchors.read_anchors(_folder(chain)).anchors[-1]
    assert (newest.seq, newest.hash, newest.reason) == (6, _hash(chain, 6), "backup")


def test_the_anchor_command_on_an_empty_trail_writes_nothing(app: Flask) -> None:
    code, output = _cli(app, "anchor")
    assert code == 0 and "The trail is empty: nothing to anchor." in output
    assert _files(app) == []


def test_verify_warns_when_there_is_no_anchor(chain: Flask) -> None:
    for path in _folder(chain).iterdir():
        path.unlink()
    code, output = _cli(chain, "verify")
    assert code == 0 and "No anchors in" in output and "qms trail anchor" in output


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"seq": 4, "hash": "%s", "local_date": "2026-01-01", "anchored_at": "x"}'],
)
def test_an_unreadable_anchor_fails_verify(chain: Flask, content: str) -> None:
    (name,) = _files(chain)
    path = _folder(chain) / name
    os.chmod(path, 0o644)  # the "attacker" (or a disk fault) has file access
    path.write_text(content.replace("%s", "a" * 64))
    code, output = _cli(chain, "verify")
    assert code == 1 and f"Anchor {name} unreadable" in output


def test_anchors_are_not_blobs(chain: Flask) -> None:
    """`qms fsck` and the blob store's listing see no anchor file."""
    assert _files(chain)
    assert list(chain.extensions["qms_store"].addresses()) == []
    result = chain.test_cli_runner().invoke(main, ["fsck"])
    assert result.exit_code == 0, result.output
    assert "0 blobs checked: 0 missing, 0 altered, 0 unreferenced." in result.output


def test_a_partial_write_leaves_no_anchor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file appears whole or not at all, and is never rewritten."""
    folder = tmp_path / "trail-anchors"

    def fail(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "link", fail)
    with pytest.raises(OSError, match="disk full"):
        anchors.write_anchor(folder, 1, "a" * 64, timezone="UTC", reason="manual")
    assert list(folder.iterdir()) == []
    monkeypatch.undo()
    first = anchors.write_anchor(folder, 1, "a" * 64, timezone="UTC", reason="manual")
    again = anchors.write_anchor(folder, 1, "b" * 64, timezone="UTC", reason="backup")
    assert again == first and [p.name for p in folder.iterdir()] == [first.name]
