"""Where the index lives on disk: generations under the configured folder, and a `current`
link naming the one in use.

    search_index/
        current -> gen-20261207190000123456-4242
        gen-20261207190000123456-4242/   (Whoosh files)
        .open.lock  .write.lock  reconcile.json  rebuild.json

A rebuild writes a whole new generation beside the one in use and then replaces the link in
one `rename` (atomic on POSIX): a search opens either the old generation or the new one, never
half of either. The previous generation is kept one swap longer, so that a search that opened
it just before the swap still reads whole files.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

CURRENT = "current"
OPEN_LOCK = ".open.lock"
PREFIX = "gen-"


def current_name(root: Path) -> str | None:
    """The generation the link names, or None when there is no link (a new or lost index)."""
    try:
        return os.readlink(root / CURRENT)
    except OSError:
        return None


def new_generation(root: Path) -> Path:
    """A new, empty generation folder (not yet in use)."""
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    path = root / f"{PREFIX}{stamp}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    return path


def swap(root: Path, generation: Path) -> None:
    """Point `current` at `generation` in one step."""
    link = root / f".{CURRENT}-{uuid.uuid4().hex}"
    os.symlink(generation.name, link)  # relative: the folder may be moved or mounted elsewhere
    os.replace(link, root / CURRENT)
    _sync_dir(root)


def prune(root: Path, keep: str | None = None) -> None:
    """Remove the generations no one should still be reading: all but the current one and
    `keep` (the one it replaced)."""
    current = current_name(root)
    for path in root.glob(f"{PREFIX}*"):
        if path.is_dir() and path.name not in {current, keep}:
            shutil.rmtree(path, ignore_errors=True)


def is_legacy(root: Path) -> bool:
    """An index written straight into the folder by a release without generations."""
    return current_name(root) is None and whoosh_index.exists_in(str(root))


def remove_legacy_files(root: Path) -> None:
    for path in root.iterdir():
        if path.is_file() and path.name.startswith(("_MAIN_", "MAIN_")):
            path.unlink(missing_ok=True)


@contextmanager
def open_lock(root: Path) -> Iterator[None]:
    """Serialises creating and upgrading the index between processes opening it at once."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / OPEN_LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _sync_dir(path: Path) -> None:
    # The rename is durable only once the folder's entry is on disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
