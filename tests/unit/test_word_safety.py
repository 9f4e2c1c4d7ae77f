"""The zip-level gate for .docx uploads: every hostile file is refused on the "file" field with
its own message, before python-docx reads it, and with flat memory."""

from __future__ import annotations

import io
import stat
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from qms.core.errors import ValidationFailed
from qms.word import safety
from qms.word.safety import check_docx, open_checked

NOT_DOCX = "not a Word document (.docx)"
MACROS = "macro-enabled"
DAMAGED = "damaged or incomplete"
MISSING = "parts are missing"
PASSWORD = "protected with a password"
OLD_DOC = "old Word format (.doc)"
ENCRYPTED = "encrypted parts"
UNSAFE_PATH = "unsafe path"
SYMLINK = "symbolic link"
TOO_MANY = "more than 2000 parts"
TOO_LARGE = "unpacks to more than"
BOMB = "zip bomb"
DTD = "document type declaration"
ENCODING = "encoding Word does not use"
UNREADABLE = "could not be read as a Word document"

Entries = dict[str, bytes]


@pytest.fixture(scope="module")
def plain() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def _rebuild(
    base: bytes,
    *,
    add: Entries | None = None,
    replace: Entries | None = None,
    drop: tuple[str, ...] = (),
    edit: Callable[[zipfile.ZipFile], None] | None = None,
) -> bytes:
    """`base` with parts dropped, replaced or added; `edit` writes more entries at the end."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            data = replace.get(info.filename, source.read(info))
            target.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        for name, data in (add or {}).items():
            target.writestr(name, data, zipfile.ZIP_DEFLATED)
        if edit is not None:
            edit(target)
    return out.getvalue()


def _patch_central(data: bytes, name: str, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of `name`'s central-directory record (zipfile would not write it)."""
    patched = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    count, _size, at = struct.unpack_from("<HLL", data, end + 10)
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + name_len] == name.encode():
            struct.pack_into(fmt, patched, at + offset, value)
            return bytes(patched)
        at += 46 + name_len + extra_len + comment_len
    raise AssertionError(f"{name} not in the central directory")


def _refused(data: bytes, filename: str = "") -> str:
    with pytest.raises(ValidationFailed) as caught:
        check_docx(data, filename)
    assert caught.value.field == "file"
    return caught.value.message


def test_a_plain_docx_passes_and_opens(plain: bytes) -> None:
    check_docx(plain)
    check_docx(plain, "Procedimiento de compras.DOCX")
    document = open_checked(plain, "informe.docx")
    assert document.paragraphs == []


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("informe.pdf", NOT_DOCX),
        ("informe.doc", NOT_DOCX),
        ("informe", NOT_DOCX),
        ("macro.docm", MACROS),
        ("PLANTILLA.DOTM", MACROS),
    ],
)
def test_the_extension_is_checked(plain: bytes, filename: str, expected: str) -> None:
    assert expected in _refused(plain, filename)


def test_bytes_that_are_not_a_zip_are_refused() -> None:
    assert NOT_DOCX in _refused(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "informe.docx")
    assert NOT_DOCX in _refused(b"")


def test_a_truncated_zip_is_refused(plain: bytes) -> None:
    assert DAMAGED in _refused(plain[: len(plain) // 2])


@pytest.mark.parametrize("missing", ["[Content_Types].xml", "word/document.xml"])
def test_a_zip_without_the_word_parts_is_refused(plain: bytes, missing: str) -> None:
    assert MISSING in _refused(_rebuild(plain, drop=(missing,)))


def test_a_macro_enabled_content_type_is_refused(plain: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        types = archive.read("[Content_Types].xml")
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    assert main in types
    macro = types.replace(main, b"application/vnd.ms-word.document.macroEnabled.main+xml")
    assert MACROS in _refused(_rebuild(plain, replace={"[Content_Types].xml": macro}))


@pytest.mark.parametrize("name", ["word/vbaProject.bin", "word/vbaData.xml", "VBAPROJECT.BIN"])
def test_a_vba_part_is_refused(plain: bytes, name: str) -> None:
    assert MACROS in _refused(_rebuild(plain, add={name: b"\x00" * 64}))


def test_an_ole_file_is_refused_as_protected_or_old() -> None:
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    encrypted = header + "EncryptionInfo\x00EncryptedPackage".encode("utf-16-le")
    assert PASSWORD in _refused(encrypted, "contrato.docx")
    assert OLD_DOC in _refused(header + "WordDocument".encode("utf-16-le"))


def test_an_encrypted_entry_is_refused(plain: bytes) -> None:
    data = _patch_central(plain, "word/document.xml", 8, "<H", 0x1)
    assert ENCRYPTED in _refused(data)


def test_a_symlink_entry_is_refused(plain: bytes) -> None:
    def add_link(target: zipfile.ZipFile) -> None:
        link = zipfile.ZipInfo("word/media/image1.png")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        target.writestr(link, b"/etc/passwd")

    assert SYMLINK in _refused(_rebuild(plain, edit=add_link))


@pytest.mark.parametrize(
    "name", ["../evil.xml", "word/../../evil", "/etc/evil.xml", "\\evil", "C:/evil", "a\\..\\b"]
)
def test_an_unsafe_path_is_refused(plain: bytes, name: str) -> None:
    assert UNSAFE_PATH in _refused(_rebuild(plain, add={name: b"x"}))


def test_too_many_entries_are_refused(plain: bytes) -> None:
    def add_many(target: zipfile.ZipFile) -> None:
        for n in range(3_000):
            target.writestr(f"word/media/p{n}.bin", b"", zipfile.ZIP_STORED)

    assert TOO_MANY in _refused(_rebuild(plain, edit=add_many))


def test_too_many_entries_are_counted_before_zipfile_reads_the_directory(
    plain: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add_many(target: zipfile.ZipFile) -> None:
        for n in range(300):
            target.writestr(f"p{n}", b"", zipfile.ZIP_STORED)

    data = _rebuild(plain, edit=add_many)
    monkeypatch.setattr(safety, "MAX_CENTRAL_HEADERS", 100)
    monkeypatch.setattr(safety.zipfile, "ZipFile", None)
    assert TOO_MANY in _refused(data)


def test_a_large_total_declared_size_is_refused(
    plain: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        total = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(safety, "MAX_TOTAL_UNCOMPRESSED", total - 1)
    assert TOO_LARGE in _refused(plain)
    monkeypatch.setattr(safety, "MAX_TOTAL_UNCOMPRESSED", total)
    check_docx(plain)


def test_a_part_compressed_over_the_ratio_is_refused(plain: bytes) -> None:
    padded = {"word/media/image9.png": b" " * (2 * safety.MB)}
    assert BOMB in _refused(_rebuild(plain, add=padded))
    # Under the size the ratio applies from, whitespace may compress as much as it likes.
    check_docx(_rebuild(plain, add={"word/media/image9.png": b" " * (safety.MB // 2)}))


def test_an_unbounded_compression_method_is_refused(plain: bytes) -> None:
    def add_bzip2(target: zipfile.ZipFile) -> None:
        target.writestr("word/media/image1.png", b"x" * 100, zipfile.ZIP_BZIP2)

    assert DAMAGED in _refused(_rebuild(plain, edit=add_bzip2))


def test_a_declared_size_lie_is_caught(plain: bytes) -> None:
    # The central directory says 1,000 bytes (too small for the ratio check to apply) where
    # 200 KB stream out.
    body = b"<?xml version='1.0'?><x>" + b"<p>y</p>" * 25_000 + b"</x>"
    data = _rebuild(plain, add={"word/lie.xml": body})
    check_docx(data)
    assert DAMAGED in _refused(_patch_central(data, "word/lie.xml", 24, "<L", 1_000))


@pytest.mark.parametrize(
    "declaration",
    [
        b'<!DOCTYPE w [<!ENTITY a "aaaa">]>',
        b'<!doctype w SYSTEM "file:///etc/passwd">',
        b'<!EnTiTy lol "lol">',
    ],
)
def test_a_dtd_in_an_xml_part_is_refused(plain: bytes, declaration: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        document = archive.read("word/document.xml")
    prolog, body = document.split(b"?>", 1)
    hostile = prolog + b"?>" + declaration + body
    assert DTD in _refused(_rebuild(plain, replace={"word/document.xml": hostile}))


@pytest.mark.parametrize("split", range(1, len("<!DOCTYPE")))
def test_a_doctype_split_across_chunks_is_found(plain: bytes, split: int) -> None:
    head = b"<?xml version='1.0' encoding='UTF-8'?>"
    padding = b" " * (safety.CHUNK_SIZE - len(head) - split)
    part = head + padding + b"<!DOCTYPE r>" + b"<r/>"
    assert part[safety.CHUNK_SIZE - split : safety.CHUNK_SIZE] == b"<!DOCTYPE"[:split]
    assert DTD in _refused(_rebuild(plain, add={"customXml/item2.xml": part}))


def test_a_doctype_in_a_relationships_part_written_in_utf16_is_found(plain: bytes) -> None:
    rels = "\ufeff<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE r><r/>".encode("utf-16-le")
    assert DTD in _refused(_rebuild(plain, replace={"_rels/.rels": rels}))


@pytest.mark.parametrize(
    "part",
    [
        b"<?xml version='1.0' encoding='UTF-7'?>+ADw-!DOCTYPE r+AD4-<r/>",
        "<?xml version='1.0' encoding='utf-7'?><r/>".encode("utf-16-be"),
        "<r/>".encode("utf-32-be"),
    ],
    ids=["utf-7", "utf-16-declaring-utf-7", "utf-32"],
)
def test_xml_in_an_encoding_word_does_not_use_is_refused(plain: bytes, part: bytes) -> None:
    assert ENCODING in _refused(_rebuild(plain, add={"word/odd.xml": part}))


def test_a_scan_stops_past_the_limit(plain: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "CHUNK_SIZE", 1_000)
    read: list[int] = []

    class Counting(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            chunk = super().read(size)
            read.append(len(chunk))
            return chunk

    seen, marker = safety._scan_part(Counting(b" " * 100_000), safety.DTD_MARKERS, 5_000)
    assert (seen, marker) == (6_000, None)
    assert sum(read) == 6_000


def test_an_unreadable_document_is_refused_by_open_checked(plain: bytes) -> None:
    broken = _rebuild(plain, replace={"word/document.xml": b"<w:document"})
    check_docx(broken)
    with pytest.raises(ValidationFailed) as caught:
        open_checked(broken, "informe.docx")
    assert UNREADABLE in caught.value.message
    assert caught.value.field == "file"


# The peak is read from VmHWM, this process's own high-water mark: ru_maxrss survives exec on
# Linux, so after vfork it starts at the pytest process's peak.
BOMB_CHECK = """
import io, re, resource, sys, zipfile
from qms.core.errors import ValidationFailed
from qms.word import safety

data = open(sys.argv[1], "rb").read()
try:
    safety.check_docx(data, "bomba.docx")
except ValidationFailed as refused:
    print(refused.message)
# The declared sizes refuse it above without decompressing; the scan itself must also stay
# flat when it does decompress, up to the limit, counting what really comes out.
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    with archive.open("word/bomb.xml") as part:
        seen, _ = safety._scan_part(part, safety.DTD_MARKERS, safety.MAX_TOTAL_UNCOMPRESSED)
print(seen)
try:
    with open("/proc/self/status") as status:
        print(re.search(r"VmHWM:\\s+(\\d+) kB", status.read())[1])
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_a_zip_bomb_is_refused_with_flat_memory(plain: bytes, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    megabyte = b" " * safety.MB
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        with zipfile.ZipFile(io.BytesIO(plain)) as source:
            for info in source.infolist():
                target.writestr(info.filename, source.read(info), zipfile.ZIP_DEFLATED)
        with target.open("word/bomb.xml", "w") as part:
            for _ in range(300):
                part.write(megabyte)
    assert bomb.stat().st_size < 400 * 1024

    ran = subprocess.run(
        [sys.executable, "-c", BOMB_CHECK, str(bomb)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    message, seen, peak_kb = ran.stdout.strip().splitlines()
    assert BOMB in message
    assert (
        safety.MAX_TOTAL_UNCOMPRESSED
        < int(seen)
        <= safety.MAX_TOTAL_UNCOMPRESSED + (safety.CHUNK_SIZE)
    )
    assert int(peak_kb) < 150 * 1024, f"peak RSS {int(peak_kb) // 1024} MB"
    print(f"bomb {bomb.stat().st_size} bytes, scanned {seen}, peak {int(peak_kb) // 1024} MB")
