"""A copy = the cached base PDF + one overlay per page size, laid over every page.

The overlay (status line, big diagonal mark, QR code to the verification page) is drawn once
per copy with fpdf2 in the embedded DejaVu cut (accents print on every machine). It is turned
into a single Form XObject that every page draws with `q … /QmsStamp Do Q`, and the result is
written as an incremental update of the base PDF: the pages' own content streams are never
decoded or rewritten, so a copy costs a few milliseconds whatever the page count.
"""

from __future__ import annotations

import functools
from datetime import datetime
from io import BytesIO
from pathlib import Path

import segno
from flask_babel import format_datetime
from flask_babel import gettext as _
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
)

from qms.documents.models import VersionState

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
S = VersionState
XOBJECT_NAME = "/QmsStamp"


def status_mark(state: str) -> str | None:
    """The big diagonal mark a copy carries for the state of its version."""
    if state in (S.SUPERSEDED, S.OBSOLETE):
        return _("OBSOLETE")
    if state != S.EFFECTIVE:
        return _("DRAFT — NOT VALID")
    return None


def controlled_line(copy_number: int, holder: str, url: str) -> str:
    return _(
        "CONTROLLED COPY No. %(n)d — assigned to %(holder)s; check it is in force at %(url)s",
        n=copy_number,
        holder=holder,
        url=url,
    )


def uncontrolled_line(printed_by: str, when: datetime, url: str) -> str:
    return _(
        "UNCONTROLLED COPY — printed by %(user)s on %(when)s; check it is in force at %(url)s",
        user=printed_by,
        when=format_datetime(when, "short"),
        url=url,
    )


@functools.lru_cache(maxsize=32)
def draw_overlay(
    width: float, height: float, line: str, mark: str | None, qr_url: str | None
) -> bytes:
    """A one-page PDF of the given size holding only the stamp (reprints of a copy reuse it)."""
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    # The -Stamp cut of DejaVu (scripts/build_stamp_fonts.py) parses in ~10 ms, not ~180 ms;
    # one face only, since each embedded font is subset again at output (~15 ms each).
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


def _as_xobject(writer: PdfWriter, overlay_pdf: bytes) -> IndirectObject:
    """The overlay's only page as a Form XObject added to the writer."""
    page = PdfReader(BytesIO(overlay_pdf)).pages[0]
    form = StreamObject()
    form.set_data(page.get_contents().get_data())  # type: ignore[union-attr]
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(NumberObject(round(v)) for v in page.mediabox),
            # Deep-copies the fonts and the QR image into the writer.
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form)


def _content_stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stamp(
    base_pdf: bytes, line: str, *, mark: str | None = None, qr_url: str | None = None
) -> bytes:
    """The base PDF with the stamp drawn over every page, as an incremental update."""
    writer = PdfWriter(BytesIO(base_pdf), incremental=True)
    forms: dict[tuple[float, float], IndirectObject] = {}
    # Whatever the page's own content leaves in the graphics state, the stamp starts afresh.
    opening = _content_stream(writer, b"q\n")
    for page in writer.pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in forms:
            forms[size] = _as_xobject(writer, draw_overlay(*size, line, mark, qr_url))
        name = f"{XOBJECT_NAME}{list(forms).index(size)}"
        closing = _content_stream(
            writer,
            f"Q\nq 1 0 0 1 {float(box.left):g} {float(box.bottom):g} cm {name} Do Q\n".encode(),
        )
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
        xobjects[NameObject(name)] = forms[size]
        resources[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = resources
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else ArrayObject()
        parts = list(existing) if isinstance(existing, ArrayObject) else [page.raw_get("/Contents")]
        page[NameObject("/Contents")] = ArrayObject([opening, *parts, closing])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
