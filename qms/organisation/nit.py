"""The Colombian NIT (Número de Identificación Tributaria) and its DIAN check digit."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed

# DIAN's weights, applied from the rightmost digit of the number leftwards.
WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_SHAPE = re.compile(r"^(\d[\d. ]*)-\s*(\d)$")


def check_digit(number: str) -> int:
    """The verification digit (DV) DIAN computes for a NIT's digits."""
    digits = [int(c) for c in reversed(number)]
    total = sum(d * w for d, w in zip(digits, WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


def _grouped(number: str) -> str:
    return f"{int(number):,}".replace(",", ".")


def clean_nit(value: str) -> str:
    """A NIT as invoices write it ("900.123.456-8"), or "" for none; ValidationFailed when
    the shape or the check digit is wrong (a typo caught before it is printed everywhere)."""
    text = (value or "").strip()
    if not text:
        return ""
    match = _SHAPE.match(text)
    number = re.sub(r"[. ]", "", match.group(1)) if match else ""
    if not match or not 6 <= len(number) <= len(WEIGHTS) or number.startswith("0"):
        raise ValidationFailed(
            str(_l("Write the NIT with its check digit after a hyphen, e.g. 900.123.456-8.")),
            field="nit",
        )
    if check_digit(number) != int(match.group(2)):
        raise ValidationFailed(
            str(_l("The check digit does not match the NIT: check the number.")), field="nit"
        )
    return f"{_grouped(number)}-{match.group(2)}"
