"""A Word file's metadata completed from its row of the master list: the list fills what the
file lacks (or only guessed); where both say something different, the file wins and a note
says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask_babel import lazy_gettext as _l

from qms.core.timefmt import format_day
from qms.word import notes
from qms.word.grids import fold
from qms.word.master_list import Listing
from qms.word.parsed import Parsed

FIELD_NAMES = {
    "code": _l("code"),
    "title": _l("title"),
    "type_name": _l("document type"),
    "process": _l("process"),
    "number": _l("version"),
    "effective_from": _l("effective date"),
}
# What the reader noted as missing, no longer true once the list filled it.
MISSING_NOTES = {"code": notes.NO_CODE, "number": notes.NO_NUMBER, "effective_from": notes.NO_DATE}
TAKEN = _l("Taken from the master list: %(fields)s.")
DIFFERS = _l(
    "The file gives %(field)s “%(file)s”, the master list “%(listed)s”: the file's was kept."
)
NOT_LISTED = _l("Not on the master list.")


def apply_listing(parsed: Parsed, listing: Listing, filename: str) -> Parsed:
    """`parsed` completed from its row of `listing` (a copy; `parsed` is left as it was)."""
    out = replace(parsed, guessed=set(parsed.guessed), notes=list(parsed.notes))
    row = listing.row_for(parsed, filename)
    if row is None:
        out.notes.append(str(NOT_LISTED))
        return out
    filled: list[str] = []
    for key in FIELD_NAMES:
        listed, mine = getattr(row, key), getattr(parsed, key)
        if listed is None or listed == "":
            continue
        if mine is None or mine == "" or (key in parsed.guessed and not _same(mine, listed)):
            # Nothing in the file, or only our guess: the organisation's list knows better.
            setattr(out, key, listed)
            out.guessed.add(key)
            filled.append(key)
        elif not _same(mine, listed):
            out.notes.append(
                str(
                    DIFFERS
                    % {
                        "field": FIELD_NAMES[key],
                        "file": _shown(mine),
                        "listed": _shown(listed),
                    }
                )
            )
    if filled:
        stale = {str(MISSING_NOTES[key]) for key in filled if key in MISSING_NOTES}
        out.notes = [note for note in out.notes if note not in stale]
        out.notes.append(str(TAKEN % {"fields": ", ".join(str(FIELD_NAMES[k]) for k in filled)}))
    return out


def _same(mine: object, listed: object) -> bool:
    if isinstance(mine, str) and isinstance(listed, str):
        return fold(mine) == fold(listed)
    return mine == listed


def _shown(value: object) -> str:
    return format_day(value) if isinstance(value, date) else str(value)
