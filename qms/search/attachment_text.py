"""The text of attached files (Word .docx, PDF, plain text), for the search index.

Files come from anyone who may attach one: they are treated as hostile. The work is bounded
(pages, characters, the size of the file and of a .docx unzipped), nothing external is ever
fetched (neither parser follows links, and the .docx XML is read without resolving entities),
and any failure of a parser is logged and yields no text for that file: a bad attachment never
stops its version from being indexed. Results are kept per blob address (bytes never change
under an address), so reindexing a version does not parse its files again.
"""

from __future__ import annotations

import io
import logging
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from qms.blobs.filetypes import DOCX
from qms.core.storage import BlobStore

log = logging.getLogger(__name__)

MAX_PAGES = 200  # PDF pages read
MAX_CHARS = 200_000  # characters kept per file
MAX_FILE_BYTES = 50 * 1024 * 1024  # larger files are not read at all
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # a .docx inflating beyond this is a zip bomb
MAX_ZIP_MEMBERS = 2_000
CACHE_SIZE = 128

PDF = "application/pdf"
TEXT_TYPES = ("text/plain", "text/csv")

_cache: OrderedDict[str, str] = OrderedDict()
_cache_lock = threading.Lock()


def kind_of(data: bytes, media_type: str, filename: str) -> str:
    """Which reader a file goes to: pdf, docx, text, or none ("") — the bytes tell first."""
    name = (filename or "").lower()
    if data[:1024].lstrip().startswith(b"%PDF-") or media_type == PDF:
        return "pdf"
    if data[:4] == b"PK\x03\x04" and (media_type == DOCX or name.endswith(".docx")):
        return "docx"
    if media_type in TEXT_TYPES or name.endswith((".txt", ".csv")):
        return "text"
    return ""


def _capped(parts: Iterator[str]) -> str:
    """The parts joined by new lines, stopping at MAX_CHARS."""
    kept: list[str] = []
    size = 0
    for part in parts:
        part = part.strip()
        if not part:
            continue
        kept.append(part)
        size += len(part) + 1
        if size >= MAX_CHARS:
            break
    return "\n".join(kept)[:MAX_CHARS]


def pdf_text(data: bytes) -> str:
    """The text of the first MAX_PAGES pages of a PDF; raises on a broken file."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        return ""  # needs a password: nothing to read

    def pages() -> Iterator[str]:
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES:
                return
            yield page.extract_text() or ""

    return _capped(pages())


def _check_zip(data: bytes) -> None:
    """Refuse a zip that inflates beyond the limits before any parser opens it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise ValueError(f"{len(members)} members in the archive")
        inflated = sum(member.file_size for member in members)
        if inflated > MAX_UNZIPPED_BYTES:
            raise ValueError(f"the archive inflates to {inflated} bytes")


def _table_texts(table: Any, seen: set[int]) -> Iterator[str]:
    for row in table.rows:
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans: read it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            yield from _block_texts(cell, seen)


def _block_texts(container: Any, seen: set[int]) -> Iterator[str]:
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_texts(block, seen)
        else:
            yield block.text


def docx_text(data: bytes) -> str:
    """The paragraphs and table cells of a Word .docx, in order; raises on a broken file."""
    import docx

    _check_zip(data)
    document = docx.Document(io.BytesIO(data))
    seen: set[int] = set()
    return _capped(_block_texts(document, seen))


def plain_text(data: bytes) -> str:
    return data[: MAX_CHARS * 4].decode("utf-8", errors="replace")[:MAX_CHARS]


READERS = {"pdf": pdf_text, "docx": docx_text, "text": plain_text}


def file_text(data: bytes, media_type: str = "", filename: str = "") -> str:
    """The searchable text of one file; "" when it is of no kind read here or cannot be read."""
    if len(data) > MAX_FILE_BYTES:
        return ""
    kind = kind_of(data, media_type, filename)
    if not kind:
        return ""
    try:
        return READERS[kind](data)
    except Exception:
        log.warning("no text indexed from %r (%s): the file could not be read", filename, kind)
        log.debug("reading %r failed", filename, exc_info=True)
        return ""


def stored_file_text(store: BlobStore, sha256: str, media_type: str, filename: str) -> str:
    """The text of the blob at `sha256`; "" when it is missing or unreadable. Kept per address."""
    key = f"{sha256}\n{media_type}\n{(filename or '').lower()}"
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        data = store.get(sha256)
    except Exception:  # missing or corrupted in the store: index the rest of the version
        log.warning("attachment blob %s unavailable; indexed without its text", sha256)
        return ""
    text = file_text(data, media_type, filename)
    with _cache_lock:
        _cache[key] = text
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return text
