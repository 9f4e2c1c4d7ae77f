"""A copy's stamp: drawn over every page with the embedded font, as an incremental update."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import IndirectObject

from qms.printing.sandbox import render_isolated
from qms.printing.stamp import stamp
from qms.printing.stamp_font import stamp_font

PAGES = "".join(f"<p style='break-after: page'>Página de prueba {n}</p>" for n in range(3))
LINE = "COPIA CONTROLADA N° 12 — asignada a Recepción Ñuñoa; verifique en https://q.example/v/1"


@pytest.fixture(scope="module")
def base() -> bytes:
    return render_isolated(f"<html><body>{PAGES}</body></html>").pdf


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]


def test_every_page_carries_the_line_mark_and_qr_and_the_base_is_untouched(base):
    copy = stamp(base, LINE, mark="OBSOLETO", qr_url="https://q.example/v/1")
    assert copy.startswith(base)  # incremental update: the base PDF's bytes are kept
    texts = _text(copy)
    assert len(texts) == 3
    for n, text in enumerate(texts):
        flat = " ".join(text.split())
        assert f"Página de prueba {n}" in flat
        assert "COPIA CONTROLADA N° 12 — asignada a Recepción Ñuñoa" in flat
        assert "OBSOLETO" in flat
    page = PdfReader(BytesIO(copy)).pages[1]
    [form] = [v for k, v in page["/Resources"]["/XObject"].items() if k.startswith("/QmsStamp")]
    form = form.get_object() if isinstance(form, IndirectObject) else form
    resources = form["/Resources"]
    assert "/QmsQR" in resources["/XObject"]
    font = resources["/Font"]["/QmsF"].get_object()
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert "/FontFile2" in descriptor  # embedded, so accents print on every machine


def test_a_character_the_font_lacks_prints_as_a_question_mark_and_wraps_long_lines(base):
    font = stamp_font()
    assert font.encode("A☃") == f"<{font.glyphs['A']:04X}{font.glyphs['?']:04X}>".encode()
    copy = stamp(base, "palabra " * 60)
    lines = [line for line in _text(copy)[0].splitlines() if "palabra" in line]
    assert len(lines) >= 3


def test_pages_of_two_sizes_each_get_a_stamp_with_the_font_and_the_qr():
    # Portrait then landscape: the second size's overlay once took the first page's own
    # resources instead of the stamp's, so it printed without its font and QR code.
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(842, 595)
    out = BytesIO()
    writer.write(out)
    copy = stamp(out.getvalue(), LINE, qr_url="https://q.example/v/1")
    pages = PdfReader(BytesIO(copy)).pages
    assert len(pages) == 2
    for page in pages:
        assert "COPIA CONTROLADA N° 12" in " ".join(page.extract_text().split())
        [form] = [v for k, v in page["/Resources"]["/XObject"].items() if k.startswith("/QmsStamp")]
        resources = form.get_object()["/Resources"]
        assert "/QmsF" in resources["/Font"]
        assert "/QmsQR" in resources["/XObject"]
