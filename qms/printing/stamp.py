"""A copy = the cached base PDF + one overlay per page size, laid over every page.

The overlay (status line, big diagonal mark, QR code to the verification page) is a Form
XObject written by hand in the embedded DejaVu cut (qms.printing.stamp_font: accents print on
every machine, the text reads back). Every page draws it with `q … /QmsStamp Do Q`, and the
result is an incremental update of the base PDF: the pages' own content streams are never
decoded or rewritten, so a copy costs a few milliseconds plus the parse of the base PDF.
"""

from __future__ import annotations

import functools
from datetime import datetime
from io import BytesIO

import segno
from flask_babel import gettext as _
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
)

from qms.core.timefmt import format_moment
from qms.documents.models import VersionState
from qms.documents.state_labels import version_state_mark
from qms.printing.stamp_font import add_stamp_font, stamp_font

S = VersionState
XOBJECT_NAME = "/QmsStamp"
# Inside the 32 mm bottom margin of templates/print: lines from 86 pt up, QR at the right.
LINE_TOP, LINE_SIZE, LINE_LEADING = 86.0, 7.5, 9.0
MARK_SIZE, QR_SIZE = 64.0, 48.0


def status_mark(state: str) -> str | None:
    """The big diagonal mark a copy carries for the state of its version."""
    if state in (S.SUPERSEDED, S.OBSOLETE):
        return version_state_mark(state)  # the state's own word, as on the pages
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
        when=format_moment(when, zone_name=True),  # the signatures' clock, named
        url=url,
    )


def _wrap(text: str, size: float, max_width: float) -> list[str]:
    font = stamp_font()
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and font.width(candidate, size) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines


def _text(x: float, y: float, size: float, text: str) -> bytes:
    encoded = stamp_font().encode(text)
    return b"BT /QmsF %g Tf %g %g Td %s Tj ET\n" % (size, x, y, encoded)


def overlay_content(width: float, height: float, line: str, mark: str | None, qr: bool) -> bytes:
    """The drawing operators of the stamp on a page of this size (PDF units, origin low-left).

    The status line sits above the page's bottom margin strip, left of the QR code; the mark
    runs diagonally across the middle, translucent.
    """
    ops = [b"0.667 0.078 0.078 rg\n"]
    y = LINE_TOP - LINE_SIZE
    for text in _wrap(line, LINE_SIZE, width - 160):
        ops.append(_text(42, y, LINE_SIZE, text))
        y -= LINE_LEADING
    if mark:
        half = stamp_font().width(mark, MARK_SIZE) / 2
        cos = sin = 0.7071
        ops.append(b"q /QmsGS gs 0.784 0.118 0.118 rg\n")
        ops.append(b"%g %g %g %g %g %g cm\n" % (cos, sin, -sin, cos, width / 2, height / 2))
        ops.append(_text(-half, -20, MARK_SIZE, mark))
        ops.append(b"Q\n")
    if qr:
        ops.append(b"q %g 0 0 %g %g %g cm /QmsQR Do Q\n" % (QR_SIZE, QR_SIZE, width - 96, 40))
    return b"".join(ops)


@functools.lru_cache(maxsize=64)
def _qr_bits(url: str) -> tuple[int, bytes]:
    """The QR code as a 1-bit image mask (0 = dark module), one quiet module around."""
    matrix = [[0, *row, 0] for row in segno.make(url, error="m").matrix]
    size = len(matrix) + 2
    rows = [[0] * size, *matrix, [0] * size]
    data = bytearray()
    for row in rows:
        bits = "".join("0" if dark else "1" for dark in row).ljust(-(-size // 8) * 8, "1")
        data += int(bits, 2).to_bytes(len(bits) // 8, "big")
    return size, bytes(data)


def _qr_image(writer: PdfWriter, url: str) -> IndirectObject:
    size, data = _qr_bits(url)
    image = DecodedStreamObject()
    image.set_data(data)
    image.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(size),
            NameObject("/Height"): NumberObject(size),
            NameObject("/ImageMask"): BooleanObject(True),
            NameObject("/BitsPerComponent"): NumberObject(1),
        }
    )
    return writer._add_object(image)


def _overlay_form(
    writer: PdfWriter, size: tuple[float, float], content: bytes, resources: DictionaryObject
) -> IndirectObject:
    form = DecodedStreamObject()
    form.set_data(content)
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(
                [NumberObject(0), NumberObject(0), FloatObject(size[0]), FloatObject(size[1])]
            ),
            NameObject("/Resources"): resources,
        }
    )
    return writer._add_object(form)


def _resources(writer: PdfWriter, qr_url: str | None) -> DictionaryObject:
    """Font, translucency and QR image, shared by the overlays of every page size."""
    resources = DictionaryObject(
        {
            NameObject("/Font"): DictionaryObject({NameObject("/QmsF"): add_stamp_font(writer)}),
            NameObject("/ExtGState"): DictionaryObject(
                {
                    NameObject("/QmsGS"): DictionaryObject(
                        {
                            NameObject("/ca"): FloatObject(0.25),
                            NameObject("/CA"): FloatObject(0.25),
                        }
                    )
                }
            ),
        }
    )
    if qr_url:
        resources[NameObject("/XObject")] = DictionaryObject(
            {NameObject("/QmsQR"): _qr_image(writer, qr_url)}
        )
    return resources


def _dictionary(value: PdfObject | None) -> DictionaryObject:
    """`value` resolved, or a new dictionary when the page has none."""
    found = value.get_object() if value is not None else None
    return found if isinstance(found, DictionaryObject) else DictionaryObject()


def _content_stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def stamp(
    base_pdf: bytes, line: str, *, mark: str | None = None, qr_url: str | None = None
) -> bytes:
    """The base PDF with the stamp drawn over every page, as an incremental update."""
    writer = PdfWriter(BytesIO(base_pdf), incremental=True)
    resources = _resources(writer, qr_url)
    forms: dict[tuple[float, float], IndirectObject] = {}
    # Whatever the page's own content leaves in the graphics state, the stamp starts afresh.
    opening = _content_stream(writer, b"q\n")
    for page in writer.pages:
        box = page.mediabox
        size = (float(box.width), float(box.height))
        if size not in forms:
            content = overlay_content(*size, line, mark, qr=bool(qr_url))
            forms[size] = _overlay_form(writer, size, content, resources)
        name = f"{XOBJECT_NAME}{list(forms).index(size)}"
        closing = _content_stream(
            writer,
            f"Q\nq 1 0 0 1 {float(box.left):g} {float(box.bottom):g} cm {name} Do Q\n".encode(),
        )
        # The page's own resources: not `resources`, which the next page size's form needs.
        page_resources = _dictionary(page.get("/Resources"))
        xobjects = _dictionary(page_resources.get("/XObject"))
        xobjects[NameObject(name)] = forms[size]
        page_resources[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = page_resources
        contents = page.get("/Contents")
        existing = contents.get_object() if contents is not None else ArrayObject()
        parts = list(existing) if isinstance(existing, ArrayObject) else [page.raw_get("/Contents")]
        page[NameObject("/Contents")] = ArrayObject([opening, *parts, closing])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
