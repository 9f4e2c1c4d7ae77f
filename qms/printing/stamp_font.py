"""The stamp's embedded font: the cut DejaVu Sans Bold as a PDF Type0 (Identity-H) font.

Built once per process from the TTF with fontTools: text is encoded as glyph ids, widths and
a ToUnicode map come from the font, so accents print on any machine and the copy's text can
be read back (pypdf, screen readers, search). A copy only adds the prepared objects to its
PDF: no font parsing or subsetting per copy, which was two thirds of a copy's cost.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

FONT_FILE = (
    Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans-Bold-Stamp.ttf"
)
BASE_FONT = "QMSSTP+DejaVuSans-Bold"


@dataclass(frozen=True)
class StampFont:
    glyphs: dict[str, int]  # character → glyph id
    widths: tuple[int, ...]  # glyph id → advance, in thousandths of an em
    fallback: int  # glyph id of "?" for characters the cut lacks
    font_file: bytes  # the TTF, deflated
    font_file_length: int
    to_unicode: bytes
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int

    def encode(self, text: str) -> bytes:
        """Text as a PDF hex string of glyph ids, e.g. b'<00410042>'."""
        ids = (self.glyphs.get(char, self.fallback) for char in text)
        return b"<" + "".join(f"{gid:04X}" for gid in ids).encode() + b">"

    def width(self, text: str, size: float) -> float:
        """Width of text in points at a font size."""
        units = sum(self.widths[self.glyphs.get(char, self.fallback)] for char in text)
        return units * size / 1000


def _to_unicode(glyphs: dict[str, int]) -> bytes:
    pairs = sorted((gid, char) for char, gid in glyphs.items() if ord(char) <= 0xFFFF)
    chunks = []
    for start in range(0, len(pairs), 100):  # a bfchar block holds at most 100 entries
        block = pairs[start : start + 100]
        lines = "\n".join(f"<{gid:04X}> <{ord(char):04X}>" for gid, char in block)
        chunks.append(f"{len(block)} beginbfchar\n{lines}\nendbfchar")
    body = "\n".join(chunks)
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()


@functools.lru_cache(maxsize=1)
def stamp_font() -> StampFont:
    raw = FONT_FILE.read_bytes()
    font = TTFont(FONT_FILE)
    scale = 1000 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    gid = {name: index for index, name in enumerate(order)}
    glyphs = {chr(code): gid[name] for code, name in font.getBestCmap().items()}
    metrics = font["hmtx"].metrics
    widths = tuple(round(metrics[name][0] * scale) for name in order)
    head, os2 = font["head"], font["OS/2"]
    return StampFont(
        glyphs=glyphs,
        widths=widths,
        fallback=glyphs.get("?", 0),
        font_file=zlib.compress(raw, 9),
        font_file_length=len(raw),
        to_unicode=_to_unicode(glyphs),
        bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", os2.sTypoAscender) * scale),
    )


def _deflated(writer: PdfWriter, data: bytes, extra: dict[str, object]) -> IndirectObject:
    stream = StreamObject()
    # Already deflated once per process: pypdf writes the bytes as they are.
    stream._data = data
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    for key, value in extra.items():
        stream[NameObject(key)] = value
    return writer._add_object(stream)


def add_stamp_font(writer: PdfWriter) -> IndirectObject:
    """The Type0 font and its parts, added to the writer; returns the font's reference."""
    font = stamp_font()
    font_file = _deflated(writer, font.font_file, {"/Length1": NumberObject(font.font_file_length)})
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(font.to_unicode)
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject(f"/{BASE_FONT}"),
            NameObject("/Flags"): NumberObject(32),
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(font.ascent),
            NameObject("/Descent"): NumberObject(font.descent),
            NameObject("/CapHeight"): NumberObject(font.cap_height),
            NameObject("/StemV"): NumberObject(120),
            NameObject("/FontFile2"): font_file,
        }
    )
    cid_font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/CIDFontType2"),
            NameObject("/BaseFont"): NameObject(f"/{BASE_FONT}"),
            NameObject("/CIDSystemInfo"): DictionaryObject(
                {
                    NameObject("/Registry"): TextStringObject("Adobe"),
                    NameObject("/Ordering"): TextStringObject("Identity"),
                    NameObject("/Supplement"): NumberObject(0),
                }
            ),
            NameObject("/FontDescriptor"): writer._add_object(descriptor),
            NameObject("/W"): ArrayObject(
                [NumberObject(0), ArrayObject(FloatObject(w) for w in font.widths)]
            ),
            NameObject("/CIDToGIDMap"): NameObject("/Identity"),
        }
    )
    type0 = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject(f"/{BASE_FONT}"),
            NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([writer._add_object(cid_font)]),
            NameObject("/ToUnicode"): writer._add_object(to_unicode),
        }
    )
    return writer._add_object(type0)
