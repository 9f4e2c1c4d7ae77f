"""The files a bulk import names: .docx files, folders of them and .zip archives of them,
given as paths (the CLI) or as uploaded bytes (the bulk page).

Each file comes as its name and a loader, so that a list of a thousand files is known (and
counted for the progress) without holding them all: a file is read, or unpacked from its
archive, only when its turn comes.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed
from qms.word.safety import ZIP_ERRORS

# A bulk archive is read entry by entry, each within the size one upload may have.
MAX_FILE_BYTES = 15 * 1024 * 1024  # base64 in the preview form stays under the upload limit
MAX_ARCHIVE_ENTRIES = 1000

Loaded = bytes | ValidationFailed  # a file that cannot be taken gives its error, reported
Entry = tuple[str, Callable[[], Loaded]]


def files_named(paths: list[Path]) -> Iterator[tuple[str, Loaded]]:
    """(name, bytes) for every .docx the paths name, in a stable order; a file that cannot
    be taken gives its error in place of bytes, so that it is reported and the others go on."""
    for name, load in entries_named(paths):
        yield name, load()


def entries_named(paths: list[Path]) -> list[Entry]:
    entries: list[Entry] = []
    for path in paths:
        if path.is_dir():
            for inner in sorted(path.rglob("*")):
                if inner.is_file() and inner.suffix.lower() == ".docx":
                    entries.append((str(inner), _reader(inner)))
        elif path.suffix.lower() == ".zip":
            entries.extend(_archive(str(path), functools.partial(zipfile.ZipFile, path)))
        else:
            entries.append((str(path), _reader(path)))
    return entries


def entries_uploaded(uploads: list[tuple[str, bytes]]) -> list[Entry]:
    """The same for uploaded files (name, bytes): a .zip is opened, anything else is a file."""
    entries: list[Entry] = []
    for name, data in uploads:
        if name.lower().endswith(".zip"):
            entries.extend(_archive(name, functools.partial(_in_memory, data)))
        elif len(data) > MAX_FILE_BYTES:
            entries.append((name, _failed(_too_large())))
        else:
            entries.append((name, functools.partial(bytes, data)))
    return entries


def _in_memory(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _too_large() -> ValidationFailed:
    return ValidationFailed(str(_l("The file is too large.")), field="file")


def _failed(error: ValidationFailed) -> Callable[[], Loaded]:
    return lambda: error


def _reader(path: Path) -> Callable[[], Loaded]:
    def read() -> Loaded:
        if path.stat().st_size > MAX_FILE_BYTES:
            return _too_large()
        return path.read_bytes()

    return read


def _archive(label: str, opened: Callable[[], zipfile.ZipFile]) -> list[Entry]:
    unreadable = ValidationFailed(str(_l("The archive could not be read.")), field="file")
    try:
        with opened() as archive:
            entries = [i for i in archive.infolist() if not i.is_dir()]
    except ZIP_ERRORS:
        return [(label, _failed(unreadable))]
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        error = ValidationFailed(str(_l("The archive holds too many files.")), field="file")
        return [(label, _failed(error))]
    return [
        (f"{label}:{info.filename}", _member(opened, info))
        for info in sorted(entries, key=lambda i: i.filename)
        if info.filename.lower().endswith(".docx")
    ]


def _member(opened: Callable[[], zipfile.ZipFile], info: zipfile.ZipInfo) -> Callable[[], Loaded]:
    def read() -> Loaded:
        # bzip2 and LZMA unpack without an output bound: one small read could be gigabytes.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return ValidationFailed(str(_l("The archive could not be read.")), field="file")
        try:
            with opened() as archive, archive.open(info) as member:
                # Counted as read, not as declared: a lying header gets no further.
                data = member.read(MAX_FILE_BYTES + 1)
        except ZIP_ERRORS:
            return ValidationFailed(str(_l("The archive could not be read.")), field="file")
        return _too_large() if len(data) > MAX_FILE_BYTES else data

    return read
