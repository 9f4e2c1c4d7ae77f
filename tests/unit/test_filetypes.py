"""Uploads are told by their bytes and held to the types a quality system keeps."""

from __future__ import annotations

import io
import zipfile

import pytest

from qms.blobs.filetypes import UnsupportedFile, checked_media_type


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
DOCM = _zip(
    {
        "[Content_Types].xml": b"<Types><Override ContentType='application/"
        b"vnd.ms-word.document.macroEnabled.main+xml'/></Types>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00",
    }
)
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"%PDF-1.7 ...", "acta.html", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "foto.png", "image/png"),
        (b"\xff\xd8\xff\xe0....", "foto.jpg", "image/jpeg"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "foto.webp", "image/webp"),
        (
            DOCX,
            "informe.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (ODT, "informe.odt", "application/vnd.oasis.opendocument.text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "viejo.xls", "application/vnd.ms-excel"),
        ("Radicado 2026-118, atención oportuna.".encode(), "nota.txt", "text/plain"),
        ("código;fecha\nAC-PR-01;2026-12-07\n".encode("cp1252"), "lista.csv", "text/csv"),
    ],
)
def test_allowed_files_are_named_by_their_bytes(data, name, expected):
    assert checked_media_type(data, name) == expected


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<script>alert(1)</script>", "foto.txt"),
        (b"  <!DOCTYPE html><html><body>hola</body></html>", "informe.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg"),
        (b"MZ\x90\x00\x03", "setup.pdf"),
        (b"\x7fELF\x02\x01", "tool"),
        (b"#!/bin/sh\nrm -rf /", "script.txt"),
        (_zip({"a.txt": b"x"}), "cosas.zip"),
        (DOCM, "macro.docx"),
        (b"\x00\x01\x02\x03binary", "dato.bin"),
    ],
)
def test_other_files_are_refused_with_415(data, name):
    with pytest.raises(UnsupportedFile) as refused:
        checked_media_type(data, name)
    assert refused.value.status_code == 415 and refused.value.field == "file"


def test_macros_pass_when_the_organisation_allows_them():
    assert checked_media_type(DOCM, "macro.docm", allow_macros=True).endswith(".document")
