"""The blob store, its database rows, `fsck` and `qms fsck`."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.blobs.fsck import fsck
from qms.blobs.models import Blob
from qms.blobs.services import read_blob, store_blob
from qms.core.db import db
from qms.core.errors import NotFound
from qms.core.storage import BlobCorrupted, BlobMissing, FileSystemBlobStore
from tests.helpers import trail_events

DATA = "Procedimiento de atención al cliente — versión 2\n".encode() * 100


def _store(app: Flask) -> FileSystemBlobStore:
    return app.extensions["qms_store"]


def _put(app: Flask, data: bytes = DATA, media_type: str = "text/plain") -> str:
    with app.app_context():
        blob = store_blob(db.session, _store(app), data, media_type)
        db.session.commit()
        return blob.sha256


def _fsck_cli(app: Flask) -> tuple[int, str]:
    from qms.cli import main

    result = app.test_cli_runner().invoke(main, ["fsck"])
    return result.exit_code, result.output


def _make_writable(path: Path) -> None:
    os.chmod(path, 0o644)  # stored blobs are read-only; the "attacker" has file access


def test_round_trip_records_row_and_trail(app: Flask) -> None:
    sha256 = _put(app)
    assert sha256 == hashlib.sha256(DATA).hexdigest()
    with app.app_context():
        assert read_blob(db.session, _store(app), sha256) == DATA
        blob = db.session.get(Blob, sha256)
        assert blob is not None and (blob.size, blob.media_type) == (len(DATA), "text/plain")
    events = trail_events(app, "blob:store")
    assert [(e.object_type, e.object_id) for e in events] == [("blob", sha256)]


@pytest.mark.sql
def test_same_bytes_twice_is_one_file_never_rewritten(app: Flask) -> None:
    sha256 = _put(app)
    path = _store(app)._path(sha256)
    before = path.stat()
    assert _put(app) == sha256
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert list(_store(app).addresses()) == [sha256]
    assert len(trail_events(app, "blob:store")) == 1  # nothing changed the second time
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) == 1


def test_stream_input_and_tmp_left_empty(app: Flask, tmp_path: Path) -> None:
    source = tmp_path / "upload.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    with app.app_context(), source.open("rb") as handle:
        blob = store_blob(db.session, _store(app), handle)
        db.session.commit()
        assert blob.size == source.stat().st_size
        assert blob.media_type == "application/octet-stream"
    _put(app, b"second")
    _put(app, b"second")
    assert list(_store(app).tmp.iterdir()) == []


def test_altered_file_is_refused_on_read_and_reported(app: Flask) -> None:
    sha256 = _put(app)
    path = _store(app)._path(sha256)
    _make_writable(path)
    path.write_bytes(DATA.replace(b"2", b"3"))
    with pytest.raises(BlobCorrupted):
        _store(app).get(sha256)
    with app.app_context(), pytest.raises(BlobCorrupted):
        read_blob(db.session, _store(app), sha256)
    with app.app_context():
        report = fsck(db.session, _store(app))
    assert (report.altered, report.missing, report.ok) == ([sha256], [], False)
    code, output = _fsck_cli(app)
    assert code == 1 and f"ALTERED      {sha256}" in output


def test_removed_file_is_missing(app: Flask) -> None:
    sha256 = _put(app)
    _store(app)._path(sha256).unlink()
    with pytest.raises(BlobMissing):
        _store(app).get(sha256)
    with app.app_context(), pytest.raises(NotFound):
        read_blob(db.session, _store(app), sha256)
    with app.app_context():
        report = fsck(db.session, _store(app))
    assert (report.missing, report.altered, report.ok) == ([sha256], [], False)
    code, output = _fsck_cli(app)
    assert code == 1 and f"MISSING      {sha256}" in output


def test_extra_file_is_unreferenced_and_only_a_warning(app: Flask) -> None:
    recorded = _put(app)
    stray, _size = _store(app).put(b"left by a rolled-back upload")
    with app.app_context():
        report = fsck(db.session, _store(app))
        # A file with no row is not readable through the service.
        with pytest.raises(NotFound):
            read_blob(db.session, _store(app), stray)
    assert report.checked == 1 and report.unreferenced == [stray] and report.ok
    code, output = _fsck_cli(app)
    assert code == 0, output
    assert f"UNREFERENCED {stray}" in output and recorded not in output


def test_clean_store_passes_fsck(app: Flask) -> None:
    _put(app)
    _put(app, b"another")
    code, output = _fsck_cli(app)
    assert code == 0 and "2 blobs checked: 0 missing, 0 altered, 0 unreferenced." in output


def test_fsck_help_says_unreferenced_is_a_warning(app: Flask) -> None:
    from qms.cli import main

    result = app.test_cli_runner().invoke(main, ["fsck", "--help"])
    assert result.exit_code == 0
    assert "Unreferenced" in result.output and "exit 0" in result.output


@pytest.mark.sql
def test_rolled_back_store_leaves_only_an_unreferenced_file(app: Flask) -> None:
    with app.app_context():
        sha256 = store_blob(db.session, _store(app), b"never committed").sha256
        db.session.rollback()
        assert db.session.get(Blob, sha256) is None
        report = fsck(db.session, _store(app))
    assert report.ok and report.unreferenced == [sha256]
    assert trail_events(app, "blob:store") == []


@pytest.mark.parametrize(
    "address",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        "",
        "A" * 64,  # upper case is not how addresses are written
        "0" * 63,
        "0" * 65,
        "0" * 62 + "/x",
        "report.pdf",
    ],
)
def test_no_user_supplied_name_reaches_a_path(app: Flask, address: str) -> None:
    store = _store(app)
    with pytest.raises(ValueError):
        store._path(address)
    with pytest.raises(ValueError):
        store.get(address)
    with app.app_context(), pytest.raises(NotFound):
        read_blob(db.session, store, address)


def test_put_takes_only_bytes_and_names_files_by_hash(app: Flask) -> None:
    sha256 = _put(app, b"x")
    path = _store(app)._path(sha256)
    assert path.relative_to(_store(app).root).parts == (sha256[:2], sha256[2:4], sha256)
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
