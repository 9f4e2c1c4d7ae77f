"""The zip-level gate a .docx passes before python-docx reads a byte of it.

A .docx is a zip of XML parts, so an upload can be a zip bomb, a path-traversal or symlink
archive, a macro carrier, an encrypted package or XML with a DTD (XXE, billion laughs).
`check_docx` refuses all of those with a ValidationFailed on the "file" field, from the bytes
alone, storing nothing. Memory stays flat: parts are streamed in chunks, never read whole, and
the declared sizes are checked before anything is decompressed.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

import docx
from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed

if TYPE_CHECKING:
    from docx.document import Document

MB = 1024 * 1024
# A long procedure with images has a few hundred parts; thousands only serve to make the zip
# reader build (and us loop over) a huge directory.
MAX_ENTRIES = 2_000
# Every central-directory record starts with this signature, so counting it bounds the records
# zipfile would turn into objects before we ask it to. Looser than MAX_ENTRIES because embedded
# spreadsheets (zips themselves) add signatures of their own.
MAX_CENTRAL_HEADERS = 20_000
# The upload limit is 25 MB compressed; real documents unpack to a few times that at most.
MAX_TOTAL_UNCOMPRESSED = 100 * MB
# XML deflates around 10:1 and images hardly at all; a large part squeezed over 100:1 is
# padding made to explode (deflate tops out near 1,000:1). Small parts may be all whitespace.
MAX_RATIO = 100
RATIO_APPLIES_FROM = 1 * MB
# Small enough to keep memory flat, large enough that scanning stays fast.
CHUNK_SIZE = 64 * 1024

ZIP_MAGIC = b"PK\x03\x04"
CENTRAL_HEADER_MAGIC = b"PK\x01\x02"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# The stream an OLE file has when it wraps an encrypted OOXML package (MS-OFFCRYPTO).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
CONTENT_TYPES = "[Content_Types].xml"
MAIN_PART = "word/document.xml"
MACRO_PARTS = {"vbaproject.bin", "vbadata.xml"}
XML_SUFFIXES = (".xml", ".rels")
# Word never writes a DTD, so refusing one keeps entity expansion and external fetches (XXE)
# out whatever parser reads the parts later. OOXML allows UTF-16 too, hence both encodings.
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!doctype", "<!entity")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
# Lower-cased: macroEnabled main and template types, and the VBA project and data types.
MACRO_TYPE_MARKERS = (b"macroenabled", b"vbaproject", b"vbadata")
# Encodings in which the DTD markers above are spelled as searched. Any other (UTF-7, EBCDIC,
# UCS-4...) could spell a DOCTYPE we would not see.
XML_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii"}
DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']", re.I)
# First bytes of UCS-4 and EBCDIC XML, which libxml2 detects without a declaration.
ODD_ENCODING_STARTS = (
    b"\x00\x00\x00<",
    b"<\x00\x00\x00",
    b"\x00\x00<\x00",
    b"\x00<\x00\x00",
    b"\x00\x00\xfe\xff",
    b"\xff\xfe\x00\x00",
    b"\x4c\x6f\xa7\x94",
)
# What reading a damaged zip can raise, beyond BadZipFile.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    NotImplementedError,
    OSError,
    ValueError,
)


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


def _not_docx() -> ValidationFailed:
    return _refuse(str(_l("The file is not a Word document (.docx).")))


def _macros() -> ValidationFailed:
    return _refuse(
        str(
            _l(
                "The file is a macro-enabled Word document, and macros are not accepted. Save it "
                "in Word as a Word Document (.docx) and upload it again."
            )
        )
    )


def _damaged() -> ValidationFailed:
    return _refuse(str(_l("The file is damaged or incomplete: it is not a valid .docx.")))


def _too_large() -> ValidationFailed:
    return _refuse(
        str(
            _l(
                "The file unpacks to more than %(mb)s MB, too much for a Word document.",
                mb=MAX_TOTAL_UNCOMPRESSED // MB,
            )
        )
    )


def check_docx(data: bytes, filename: str = "") -> None:
    """Refuse (ValidationFailed, field "file") anything that is not a plain, macro-free,
    unencrypted .docx safe to hand to python-docx; return None for one that is."""
    _check_filename(filename)
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise _refuse(
                str(
                    _l(
                        "The file is protected with a password. Open it in Word, remove the "
                        "password (File > Info > Protect Document) and upload it again."
                    )
                )
            )
        raise _refuse(
            str(
                _l(
                    "The file is in the old Word format (.doc). Open it in Word, save it as a "
                    "Word Document (.docx) and upload it again."
                )
            )
        )
    if not data.startswith(ZIP_MAGIC):
        raise _not_docx()
    check_package(data, MAIN_PART)


def check_package(
    data: bytes,
    main_part: str,
    *,
    max_total: int | None = None,
    refuse_macros: bool = True,
) -> None:
    """The zip-level checks of an Office package (a .docx, or an .xlsx with its own main part
    and limit): the directory first, then every XML part streamed. A workbook read for its
    values only need not refuse macros. `max_total` defaults to MAX_TOTAL_UNCOMPRESSED."""
    if max_total is None:
        max_total = MAX_TOTAL_UNCOMPRESSED
    if data.count(CENTRAL_HEADER_MAGIC) > MAX_CENTRAL_HEADERS:
        raise _too_many_entries()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_entries(infos, main_part, max_total, refuse_macros)
            _scan_xml_parts(archive, infos, max_total, refuse_macros)
    except ZIP_ERRORS as error:
        raise _damaged() from error


def open_checked(data: bytes, filename: str = "") -> Document:
    """The python-docx Document of a file that passed `check_docx`."""
    check_docx(data, filename)
    try:
        return docx.Document(io.BytesIO(data))
    # python-docx and lxml raise KeyError, ValueError, XMLSyntaxError, their own package errors
    # and more on a malformed part: each means the same thing to the person uploading.
    except Exception as error:
        raise _refuse(str(_l("The file could not be read as a Word document."))) from error


def _check_filename(filename: str) -> None:
    if not filename:
        return
    name = filename.strip().lower()
    if name.endswith((".docm", ".dotm")):
        raise _macros()
    if not name.endswith(".docx"):
        raise _not_docx()


def _too_many_entries() -> ValidationFailed:
    return _refuse(
        str(_l("The file has more than %(n)s parts, too many for a Word document.", n=MAX_ENTRIES))
    )


def _check_entries(
    infos: list[zipfile.ZipInfo], main_part: str, max_total: int, refuse_macros: bool
) -> None:
    """What the central directory declares, before anything is decompressed."""
    if len(infos) > MAX_ENTRIES:
        raise _too_many_entries()
    total = 0
    for info in infos:
        name = info.filename
        # Extraction tools on Windows take backslashes and drive letters ("C:") as paths too.
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
            raise _refuse(str(_l("The file contains a part with an unsafe path.")))
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse(str(_l("The file contains a symbolic link, which Word never writes.")))
        if info.flag_bits & 0x1:
            raise _refuse(str(_l("The file contains encrypted parts and cannot be read.")))
        if refuse_macros and parts[-1].lower() in MACRO_PARTS:
            raise _macros()
        # bzip2 and LZMA are decompressed by zipfile without an output bound: one small read
        # could unpack gigabytes. Word only stores and deflates.
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged()
        if info.file_size > RATIO_APPLIES_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise _refuse(
                str(
                    _l(
                        "The file contains a part compressed far more than any real document "
                        "(a possible zip bomb)."
                    )
                )
            )
        total += info.file_size
        if total > max_total:
            raise _too_large()
    names = {info.filename for info in infos}
    if CONTENT_TYPES not in names or main_part not in names:
        raise _refuse(
            str(_l("The file is a compressed archive but not a Word document: parts are missing."))
        )


def _scan_xml_parts(
    archive: zipfile.ZipFile, infos: Iterable[zipfile.ZipInfo], max_total: int, refuse_macros: bool
) -> None:
    """Stream every XML part looking for a DTD (and, in the content types, for macros),
    counting the bytes that really come out rather than trusting the declared sizes."""
    budget = max_total
    for info in infos:
        if not info.filename.lower().endswith(XML_SUFFIXES):
            continue
        markers = DTD_MARKERS
        if refuse_macros and info.filename == CONTENT_TYPES:
            markers += MACRO_TYPE_MARKERS
        with archive.open(info) as part:
            seen, marker = _scan_part(part, markers, limit=min(budget, info.file_size))
        if seen > info.file_size:
            raise _damaged()
        if seen > budget:
            raise _too_large()
        if marker in MACRO_TYPE_MARKERS:
            raise _macros()
        if marker is not None:
            raise _refuse(
                str(
                    _l(
                        "The file contains an XML document type declaration (DOCTYPE or "
                        "ENTITY), which Word never writes; it was refused for safety."
                    )
                )
            )
        budget -= seen


def _scan_part(part: IO[bytes], markers: tuple[bytes, ...], limit: int) -> tuple[int, bytes | None]:
    """The bytes read (stopping once past `limit`) and the first marker found. Markers are
    lower case; the chunks are lowered, and overlap so no marker hides across a boundary."""
    overlap = max(len(marker) for marker in markers) - 1
    tail = b""
    seen = 0
    while seen <= limit:
        chunk = part.read(CHUNK_SIZE)
        if not chunk:
            break
        if not seen:
            _check_encoding(chunk)
        seen += len(chunk)
        window = tail + chunk.lower()
        for marker in markers:
            if marker in window:
                return seen, marker
        tail = window[-overlap:]
    return seen, None


def _check_encoding(head: bytes) -> None:
    # UTF-16 text of ASCII characters reads as ASCII once its zero bytes are dropped.
    declared = DECLARED_ENCODING.match(
        head[:512].replace(b"\x00", b"").lstrip(b"\xef\xbb\xbf\xff\xfe")
    )
    if head.startswith(ODD_ENCODING_STARTS) or (
        declared is not None
        and declared.group(1).decode("ascii", "replace").lower() not in XML_ENCODINGS
    ):
        raise _refuse(str(_l("The file contains XML in an encoding Word does not use.")))
