"""Never behind, under load and a crash (issue 15, item 5): 8 writers edit drafts through a
2-worker gunicorn for a while, one worker is killed with SIGKILL mid-run, and once the queue
has drained every acknowledged final text is findable and no entry holds stale text.

Each writer owns one draft and writes it again and again, so the last acknowledged write of a
writer is the draft's final text (unless a later write died with the worker: its commit may or
may not have happened, and either outcome is allowed). Consecutive writes of one draft land on
either worker, which is what used to leave an older text in the index.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from qms.config import PROJECT_ROOT
from qms.core.db import db
from qms.documents.models import DocumentVersion
from qms.search import jobs, locks
from qms.search.sources import key_of
from qms.search.text import content_text
from qms.tick import run_tick
from tests.documents_fixtures import build_org, new_document
from tests.helpers import bearer_for
from tests.search_helpers import found

pytestmark = [pytest.mark.sql, pytest.mark.search_backends, pytest.mark.slow]

WRITERS = 8
WORKERS = 2
RUN_S = 5.0
KILL_AT_S = 2.0
# Letters the Spanish stemmer never strips, so that every word is its own term.
LETTERS = "bcfghjklmpqtvwx"


def _word(writer: int, n: int) -> str:
    digits = ""
    while True:
        n, rest = divmod(n, len(LETTERS))
        digits = LETTERS[rest] + digits
        if not n:
            break
    return f"qq{LETTERS[writer]}{digits}"


@dataclass
class Writer:
    index: int
    version_id: int
    acknowledged: str | None = None  # the word of the last 2xx answer
    unknown: list[str] = field(default_factory=list)  # sent after it, answer lost
    sent: int = 0
    errors: list[str] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing paren.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _writing_worker(app: Flask, master: int) -> tuple[int, bool]:
    """A worker caught holding the index write lock (mid-drain) if one is within 2 s, else
    any worker: the kill should land mid-write."""
    workers = _children(master)
    holder_of = _advisory_holder if _postgres_search(app) else _flock_holder
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        holder = holder_of(app, workers)
        if holder is not None:
            return holder, True
        time.sleep(0.001)
    return workers[0], False


def _postgres_search(app: Flask) -> bool:
    return bool(app.extensions["qms_settings"].search_backend == "postgres")


def _flock_holder(app: Flask, workers: list[int]) -> int | None:
    lock = app.extensions["qms_settings"].search_index_path / jobs.WRITE_LOCK
    inode = os.stat(lock).st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        parts = line.split()
        if "FLOCK" in parts and parts[-3].endswith(f":{inode}"):
            holder = int(parts[-4])
            if holder in workers:
                return holder
    return None


def _advisory_holder(app: Flask, workers: list[int]) -> int | None:
    """The worker whose connection holds the advisory lock: the server names the client's
    port, and the worker owning the socket of that port is found in /proc."""
    with app.extensions["qms_db"].engine.connect() as connection:
        port = connection.scalar(
            sa.text(
                "SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                " WHERE l.locktype = 'advisory' AND l.granted AND l.database = ("
                "SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND (l.classid::bigint << 32 | l.objid::bigint) = :key"
            ),
            {"key": locks.ADVISORY_KEY},
        )
    if port is None:
        return None
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{parts[9]}]")
    for worker in workers:
        try:
            fds = list(Path(f"/proc/{worker}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in inodes:
                    return worker
            except OSError:
                continue
    return None


def _serve(app: Flask, tmp_path: Path, port: int) -> subprocess.Popen[bytes]:
    settings = app.extensions["qms_settings"]
    env = {
        **os.environ,
        "QMS_DATABASE_URL": app.extensions["qms_db"].url,
        "QMS_INSTANCE_PATH": str(settings.instance_path),
        "QMS_STORE_PATH": str(settings.store_path),
        "QMS_SEARCH_INDEX_PATH": str(settings.search_index_path),
        "QMS_SEARCH_BACKEND": settings.search_backend,
        "QMS_SECRET_KEY": settings.secret_key,
        "QMS_TICK_MINUTES": "0",
        "QMS_RENDER_ON_APPROVAL": "0",
    }
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 - handed to the child
    command = [sys.executable, "-m", "gunicorn", "wsgi:app"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--timeout", "30"]
    server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as answer:
                if answer.status == 200 and len(_children(server.pid)) == WORKERS:
                    return server
        except OSError:
            pass
        assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
        time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text())


def _write(port: int, headers: dict[str, str], writer: Writer, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        word = _word(writer.index, n)
        n += 1
        body = json.dumps({"content": [{"kind": "text", "text": f"Texto {word} final."}]})
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/versions/{writer.version_id}",
            data=body.encode(),
            method="PATCH",
            headers={**headers, "Content-Type": "application/json"},
        )
        writer.sent += 1
        try:
            with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310
                answer.read()
                ok = 200 <= answer.status < 300
        except urllib.error.HTTPError as error:
            ok = False
            writer.errors.append(f"{error.code} {error.read()[:200]!r}")
        except OSError as error:  # the worker died under this request: outcome unknown
            writer.unknown.append(word)
            writer.errors.append(repr(error))
            continue
        if ok:
            writer.acknowledged, writer.unknown = word, []


def test_every_acknowledged_edit_is_findable_after_a_worker_is_killed(
    app: Flask, tmp_path: Path
) -> None:
    org = build_org(app)
    writers = [
        Writer(i, new_document(app, org, title=f"Documento {i}", text="Inicial.")[1])
        for i in range(WRITERS)
    ]
    headers = bearer_for(app, org.owner_id)
    port = _free_port()
    server = _serve(app, tmp_path, port)
    killed: list[int] = []
    mid_write = False
    try:
        stop = threading.Event()
        threads = [threading.Thread(target=_write, args=(port, headers, w, stop)) for w in writers]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(KILL_AT_S)
        victim, mid_write = _writing_worker(app, server.pid)
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        time.sleep(max(0.0, RUN_S - (time.monotonic() - started)))
        stop.set()
        for thread in threads:
            thread.join(30)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert f"Worker (pid:{killed[0]}) was sent SIGKILL" in log, log
    sent = sum(w.sent for w in writers)
    assert all(w.acknowledged for w in writers), [(w.index, w.errors[:3]) for w in writers]

    # Before the drain: what the crash and the races left behind (shown with -rP).
    before = jobs.reconcile(app, full=True, blocking=True, repair=False)
    with app.app_context():
        pending = db.session.scalar(
            sa.text("SELECT count(*) FROM search_jobs WHERE done_at IS NULL")
        )
        lines = run_tick(app)
    print(f"{sent} writes, killed {killed} (mid-write: {mid_write})")
    print(f"before the tick: {pending} pending, {before}; the tick: {lines}")

    with app.app_context():
        texts = dict(
            db.session.execute(
                sa.select(DocumentVersion.id, DocumentVersion.content).where(
                    DocumentVersion.id.in_([w.version_id for w in writers])
                )
            ).all()
        )
    missing = []
    for w in writers:
        final = content_text(texts[w.version_id] or [])
        assert w.acknowledged is not None
        allowed = [w.acknowledged, *w.unknown]
        word = next((candidate for candidate in allowed if candidate in final), None)
        assert word is not None, (w.index, final, allowed)  # the database kept an answered write
        if found(app, word) != [key_of("version", w.version_id)]:
            missing.append((w.index, word))
    assert missing == [], missing
    # Nothing stale anywhere: every entry is what the database would build now.
    after = jobs.reconcile(app, full=True, blocking=True, repair=False)
    assert after is not None and after.total() == 0, after
    with app.app_context():
        left = db.session.scalar(sa.text("SELECT count(*) FROM search_jobs WHERE done_at IS NULL"))
    assert left == 0
