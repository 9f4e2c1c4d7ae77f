"""Stamps over a base PDF: the copy's status line, a big diagonal mark, a QR to check validity.

Each copy is an overlay drawn once with fpdf2 (embedded DejaVu font, so accents print) and
merged onto every page with pypdf: milliseconds, never a new WeasyPrint render.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import segno
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"


def _overlay(width: float, height: float, line: str, mark: str | None, qr_url: str | None) -> bytes:
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    # The -Stamp cuts of DejaVu (scripts/build_stamp_fonts.py) parse in ~10 ms, not ~180 ms.
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans-Stamp.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold-Stamp.ttf"))
    pdf.set_text_color(170, 20, 20)
    pdf.set_font("DejaVu", "B", 7.5)
    # Above the page number, inside the 32 mm bottom margin of templates/print.
    pdf.set_xy(42, height - 86)
    pdf.multi_cell(width - 160, 9, line, align="L")
    if mark:
        pdf.set_font("DejaVu", "B", 64)
        pdf.set_text_color(200, 30, 30)
        with (
            pdf.local_context(fill_opacity=0.25, stroke_opacity=0.25),
            pdf.rotation(45, x=width / 2, y=height / 2),
        ):
            text_width = pdf.get_string_width(mark)
            pdf.text(width / 2 - text_width / 2, height / 2 + 20, mark)
    if qr_url:
        png = BytesIO()
        segno.make(qr_url, error="m").save(png, kind="png", scale=4, border=1)
        png.seek(0)
        pdf.image(png, x=width - 96, y=height - 88, w=48, h=48)
    return bytes(pdf.output())


def stamp(
    base_pdf: bytes, line: str, *, mark: str | None = None, qr_url: str | None = None
) -> bytes:
    """The base PDF with the overlay merged onto every page (one overlay per page size)."""
    writer = PdfWriter(clone_from=BytesIO(base_pdf))
    overlays: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in overlays:
            overlays[size] = PdfReader(BytesIO(_overlay(*size, line, mark, qr_url))).pages[0]
        page.merge_page(overlays[size])  # type: ignore[arg-type]
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
