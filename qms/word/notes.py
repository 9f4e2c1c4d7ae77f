"""What the reader tells the person importing a file to check, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

NO_CODE = _l("No document code was found in the file.")
NO_NUMBER = _l("No version number was found in the file.")
NO_DATE = _l("No effective date was found in the file.")
BAD_DATE = _l("The date “%(text)s” could not be read.")
PHASES = _l("The PHVA phases of a SIPOC table were inferred from its activities; check them.")
DECISIONS = _l("Where each decision step goes on yes and on no was inferred; check it.")
STEP_NUMBERS = _l("Steps without a number, or with repeated numbers, were numbered in order.")
CUT = _l("A table cell longer than %(n)d characters was cut short.")
TOO_MANY = _l("The file holds more than %(n)d blocks; the rest were left out.")
