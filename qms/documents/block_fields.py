"""The small pieces every block validator is built from: limits, the failure, cleaned values."""

from __future__ import annotations

from typing import Any, NoReturn

from flask_babel import lazy_gettext as _l

from qms.core.errors import ValidationFailed

MAX_TEXT = 200_000
MAX_CELL = 5_000
MAX_COLUMNS = 30
MAX_ROWS = 1_000
MAX_BLOCKS = 300
MAX_LIST = 200


def fail(message: Any) -> NoReturn:
    raise ValidationFailed(str(message), field="content")


def cell(value: Any) -> str:
    """A short text value: strings and numbers only, newlines kept, trimmed, bounded."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        fail(_l("Table cells hold text."))
    text = str(value).replace("\r\n", "\n").strip()
    if len(text) > MAX_CELL:
        fail(_l("A table cell is too long."))
    return text


def title(block: dict[str, Any]) -> str:
    return cell(block.get("title", ""))


def records(block: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The list of row objects under `key` (missing = none), bounded."""
    rows = block.get(key, [])
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        fail(_l("The rows of this block are a list of objects."))
    if len(rows) > MAX_ROWS:
        fail(_l("A table has at most %(n)d rows.", n=MAX_ROWS))
    return rows


def string_list(value: Any) -> list[str]:
    """A list of short texts: blanks dropped, duplicates kept once, order kept."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        fail(_l("This list holds texts."))
    items = [cell(item) for item in value]
    kept = list(dict.fromkeys(item for item in items if item))
    if len(kept) > MAX_LIST:
        fail(_l("A list holds at most %(n)d items.", n=MAX_LIST))
    return kept


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", 0, "0", "false", "no", "off"):
        return False
    if value in (1, "1", "true", "yes", "on"):
        return True
    fail(_l("A yes/no value is expected."))
    return False
