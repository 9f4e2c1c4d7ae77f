"""Blob store interface and its filesystem implementation (content-addressed by SHA-256)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024


class BlobCorrupted(Exception):
    """The bytes on disk no longer match their address."""


class BlobMissing(KeyError):
    """No blob has that address."""


def is_blob_address(value: str) -> bool:
    return bool(_HEX64.match(value))


class BlobStore(Protocol):
    """What the rest of the app may ask of a blob store (filesystem now, S3 later)."""

    def put(self, data: bytes | BinaryIO) -> tuple[str, int]: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...

    def addresses(self) -> Iterator[str]: ...

    def verify(self, sha256: str) -> bool: ...


class FileSystemBlobStore:
    """Blobs at root/ab/cd/<sha256>; written to tmp/, fsynced, hard-linked into place."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    def _path(self, sha256: str) -> Path:
        if not is_blob_address(sha256):
            raise ValueError("not a SHA-256 address")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes | BinaryIO) -> tuple[str, int]:
        """Store the bytes; return (sha256, size). Storing the same bytes twice is a no-op."""
        self.tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in _chunks(data):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            sha256 = digest.hexdigest()
            final = self._path(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            try:
                # link() refuses an existing name, so a stored blob is never overwritten.
                os.link(tmp_name, final)
            except FileExistsError:
                pass
            else:
                os.chmod(final, 0o444)
                _fsync_dir(final.parent)
        finally:
            os.unlink(tmp_name)
        return sha256, size

    def get(self, sha256: str) -> bytes:
        """The blob's bytes, checked against its address."""
        path = self._path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobMissing(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(sha256)
        return data

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def verify(self, sha256: str) -> bool:
        path = self._path(sha256)
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def addresses(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if not (first.is_dir() and len(first.name) == 2):
                continue
            for second in sorted(first.iterdir()):
                for blob in sorted(second.iterdir()):
                    if is_blob_address(blob.name):
                        yield blob.name


def _chunks(data: bytes | BinaryIO) -> Iterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    yield from iter(lambda: data.read(CHUNK), b"")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
