"""One Word file imported end to end (checked at the zip level, read, imported), and the
files a bulk import names: .docx files, folders of them, and .zip archives of them."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import ValidationFailed
from qms.core.storage import BlobStore
from qms.word.importing import Imported, import_document
from qms.word.parsed import Parsed
from qms.word.reading import read_bytes

# A bulk archive is read entry by entry, each within the size one upload may have.
MAX_FILE_BYTES = 15 * 1024 * 1024  # base64 in the preview form stays under the upload limit
MAX_ARCHIVE_ENTRIES = 1000


def import_file(
    session: Session, store: BlobStore, actor: Any, data: bytes, filename: str
) -> tuple[Imported, Parsed]:
    parsed = read_bytes(data, filename)
    return import_document(session, store, actor, parsed, data=data, filename=filename), parsed


def files_named(paths: list[Path]) -> Iterator[tuple[str, bytes | ValidationFailed]]:
    """(name, bytes) for every .docx the paths name, in a stable order; a file that cannot
    be taken gives its error in place of bytes, so that it is reported and the others go on."""
    for path in paths:
        if path.is_dir():
            for inner in sorted(path.rglob("*")):
                if inner.is_file() and inner.suffix.lower() == ".docx":
                    yield str(inner), _read(inner)
        elif path.suffix.lower() == ".zip":
            yield from _archive(path)
        else:
            yield str(path), _read(path)


def _read(path: Path) -> bytes | ValidationFailed:
    if path.stat().st_size > MAX_FILE_BYTES:
        return ValidationFailed(str(_l("The file is too large.")), field="file")
    return path.read_bytes()


def _archive(path: Path) -> Iterator[tuple[str, bytes | ValidationFailed]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield str(path), ValidationFailed(str(_l("The archive could not be read.")), field="file")
        return
    with archive:
        entries = [i for i in archive.infolist() if not i.is_dir()]
        if len(entries) > MAX_ARCHIVE_ENTRIES:
            yield (
                str(path),
                ValidationFailed(str(_l("The archive holds too many files.")), field="file"),
            )
            return
        for info in sorted(entries, key=lambda i: i.filename):
            if not info.filename.lower().endswith(".docx"):
                continue
            name = f"{path}:{info.filename}"
            with archive.open(info) as member:
                # Counted as read, not as declared: a lying header gets no further.
                data = member.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                yield name, ValidationFailed(str(_l("The file is too large.")), field="file")
            else:
                yield name, data
