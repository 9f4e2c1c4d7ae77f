"""Rebuild qms/static/fonts/*-Stamp.ttf: DejaVu Sans cut down to the characters of stamps.

The stamp embeds this cut in every copy (qms/printing/stamp_font.py): ~50 KB, not ~700. It keeps
ASCII, Latin-1, Latin Extended-A (Spanish and most European names) and common punctuation.
Run: .venv/bin/python scripts/build_stamp_fonts.py
"""

from __future__ import annotations

import logging
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "qms" / "static" / "fonts"
CHARACTERS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x180))
    + "—–‘’“”…•°№€"
)


def build(name: str) -> None:
    font = TTFont(FONTS / f"{name}.ttf")
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=CHARACTERS)
    subsetter.subset(font)
    font.save(FONTS / f"{name}-Stamp.ttf")


if __name__ == "__main__":
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    for font_name in ("DejaVuSans", "DejaVuSans-Bold"):
        build(font_name)
