"""Paper sizes and orientations a printed copy or a PDF report can take.

Keys are what URLs (`?size=Letter`), the rendition cache and the trail carry; values are the
CSS `@page size` keywords WeasyPrint reads. Colombian offices print on Carta (US Letter).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PAPERS: dict[str, str] = {"Letter": "letter", "A4": "A4", "Legal": "legal"}
PAPER_LABELS = {
    "Letter": _l("Letter (Carta, 216 × 279 mm)"),
    "A4": _l("A4 (210 × 297 mm)"),
    "Legal": _l("Legal (Oficio, 216 × 356 mm)"),
}
DEFAULT_PAPER = "Letter"

PORTRAIT = "portrait"
LANDSCAPE = "landscape"
ORIENTATIONS = (PORTRAIT, LANDSCAPE)
ORIENTATION_LABELS = {PORTRAIT: _l("Portrait"), LANDSCAPE: _l("Landscape")}


def page_css(paper: str, orientation: str = PORTRAIT) -> str:
    """The `@page { size: … }` value: "letter landscape", "A4"… (unknown keys: Carta)."""
    size = PAPERS.get(paper, PAPERS[DEFAULT_PAPER])
    return f"{size} {LANDSCAPE}" if orientation == LANDSCAPE else size
