"""What an uploaded file is, told by its bytes, checked against the types a quality system
keeps: PDF, Office documents (OOXML, OpenDocument, the older binary formats), images, plain
text. HTML, SVG, scripts, executables and anything unrecognised are refused; macro-enabled
Office files only when the organisation allows them (QMS_UPLOAD_ALLOW_MACROS).

The declared media type and the file name's extension are never trusted: a page saved as
`informe.pdf` is refused, and a PDF named `foto.html` is stored as a PDF.
"""

from __future__ import annotations

import io
import zipfile

from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed

PDF = "application/pdf"
TEXT = "text/plain"
CSV = "text/csv"
OLE_TYPES = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OOXML_TYPES = {
    "word/": DOCX,
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Markup a browser would run: refused even inside a .txt.
ACTIVE_MARKUP = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


class UnsupportedFile(ValidationFailed):
    """The file is not of a type the system keeps."""

    status_code = 415
    code = "unsupported_file"


def _refuse(why: str) -> UnsupportedFile:
    return UnsupportedFile(
        str(
            _l(
                "This file cannot be kept (%(why)s). Upload a PDF, an Office or OpenDocument "
                "file, an image (PNG, JPEG, GIF, WebP) or plain text.",
                why=why,
            )
        ),
        field="file",
    )


def _zip_type(data: bytes, allow_macros: bool) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in ODF_TYPES:
                    if any(n.lower().startswith("basic/") for n in names) and not allow_macros:
                        raise _refuse(str(_l("it contains macros")))
                    return declared
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml").lower()
                macros = any(n.lower().endswith("vbaproject.bin") for n in names)
                if (macros or b"macroenabled" in types) and not allow_macros:
                    raise _refuse(str(_l("it contains macros")))
                for prefix, media_type in OOXML_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return media_type
    except (zipfile.BadZipFile, KeyError, ValueError, RuntimeError, EOFError):
        pass
    raise _refuse(str(_l("a compressed archive")))


def _text_type(data: bytes, filename: str) -> str | None:
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # files saved by Spanish Windows tools
        except UnicodeDecodeError:
            return None
    head = text[:2048].lstrip().lower().encode("utf-8", "ignore")
    if any(marker in head for marker in ACTIVE_MARKUP):
        raise _refuse(str(_l("a web page or markup a browser would run")))
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text[:65536]):
        return None
    return CSV if filename.lower().endswith(".csv") else TEXT


def checked_media_type(data: bytes, filename: str, *, allow_macros: bool = False) -> str:
    """The media type of an allowed file, from its bytes; UnsupportedFile (415) otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    for magic, media_type in IMAGES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data, allow_macros)
    if data.startswith(OLE_MAGIC):
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        return OLE_TYPES.get(extension, "application/msword")
    if data.startswith((b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")):
        raise _refuse(str(_l("a program")))
    text_type = _text_type(data, filename)
    if text_type is not None:
        return text_type
    raise _refuse(str(_l("an unknown type")))
