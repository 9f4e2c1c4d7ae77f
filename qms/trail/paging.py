"""Page links for the trail's long lists: a bounded page size and a window of page numbers."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Request

PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50
WINDOW = 2  # pages shown on each side of the current one
# A page number past any real trail; larger ones (?page=10**20) would overflow the database's
# OFFSET, an integer of 64 bits.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class Pager:
    page: int
    per_page: int
    total: int = 0

    @classmethod
    def from_request(cls, request: Request) -> Pager:
        per = request.args.get("per", DEFAULT_PER_PAGE, type=int)
        page = request.args.get("page", 1, type=int) or 1
        page = min(max(1, page), MAX_PAGE)
        return cls(page, per if per in PER_PAGE_CHOICES else DEFAULT_PER_PAGE)

    def counted(self, total: int) -> Pager:
        return Pager(self.page, self.per_page, total)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_shown(self) -> int:
        return min(self.total, self.offset + 1)

    @property
    def last_shown(self) -> int:
        return min(self.total, self.offset + self.per_page)

    def links(self) -> list[int | None]:
        """Page numbers to link, None where a run of pages is left out: 1 … 4 5 [6] 7 8 … 20."""
        last = self.pages
        near = range(max(1, self.page - WINDOW), min(last, self.page + WINDOW) + 1)
        shown = sorted({1, last, *near})
        out: list[int | None] = []
        for number in shown:
            if out and number - (out[-1] or 0) > 1:
                out.append(None)
            out.append(number)
        return out
