"""Spanish is the default language: every message in code and templates must be translated.

Messages are extracted the way scripts/i18n.sh does (babel.cfg, the same keywords) and compared
with qms/translations/es/LC_MESSAGES/messages.po. Run `bash scripts/i18n.sh` to refresh the
catalog, translate what it reports, and run it again to compile.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.checkers import PYTHON_FORMAT
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from qms.config import PROJECT_ROOT

SPANISH_PO = PROJECT_ROOT / "qms" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
# The same keywords scripts/i18n.sh passes to `pybabel extract`.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
    "_lp": ((1, "c"), 2),
}

Msgid = str | tuple[str, ...]


def _extracted() -> dict[tuple[Msgid, str | None], list[str]]:
    """(msgid, context) → the places that use it. A plural msgid is a (singular, plural) tuple."""
    with open(PROJECT_ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[tuple[Msgid, str | None], list[str]] = {}
    for top in ("qms", "templates"):
        # babel.cfg patterns are relative to the project root; extract_from_dir wants them
        # relative to the folder it walks.
        prefix = f"{top}/"
        methods = [(p[len(prefix) :], m) for p, m in method_map if p.startswith(prefix)]
        options = {p[len(prefix) :]: o for p, o in options_map.items() if p.startswith(prefix)}
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(PROJECT_ROOT / top), methods, options, keywords=KEYWORDS
        ):
            found.setdefault((message, context), []).append(f"{top}/{filename}:{lineno}")
    return found


def _catalog() -> Catalog:
    if not SPANISH_PO.exists():
        pytest.fail(
            f"no Spanish catalog at {SPANISH_PO.relative_to(PROJECT_ROOT)}: "
            "run `bash scripts/i18n.sh` and translate it"
        )
    with open(SPANISH_PO, "rb") as handle:
        return read_po(handle, locale="es")


def _placeholders(text: str) -> tuple[Counter[tuple[str, str]], list[str]]:
    """Named placeholders as a multiset of (name, conversion); positional ones in order."""
    named: Counter[tuple[str, str]] = Counter()
    positional: list[str] = []
    for name, _flags, conversion in PYTHON_FORMAT.findall(text):
        if conversion == "%":
            continue
        if name:
            named[(name, conversion)] += 1
        else:
            positional.append(conversion)
    return named, positional


def test_extraction_finds_messages_in_code_and_templates() -> None:
    places = [place for where in _extracted().values() for place in where]
    assert any(p.startswith("qms/") for p in places), "no message extracted from qms/"
    assert any(p.startswith("templates/") for p in places), "no message extracted from templates/"


def test_every_message_has_a_spanish_translation() -> None:
    catalog = _catalog()
    missing = []
    for (msgid, context), places in sorted(_extracted().items(), key=lambda item: str(item[0])):
        singular = msgid[0] if isinstance(msgid, tuple) else msgid
        entry = catalog.get(singular, context=context)
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple | list) else (strings,)
        if entry is None or entry.fuzzy or not strings or not all(strings):
            state = "missing" if entry is None else ("fuzzy" if entry.fuzzy else "empty")
            missing.append(f"  {state}: {singular!r}  ({places[0]})")
    assert not missing, (
        f"{len(missing)} message(s) without a Spanish translation in "
        f"{SPANISH_PO.relative_to(PROJECT_ROOT)}:\n" + "\n".join(missing)
    )


def test_translations_keep_the_placeholders() -> None:
    catalog = _catalog()
    broken = []
    for entry in catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple | list) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        for index, translated in enumerate(strings):
            if not translated:
                continue
            original = ids[min(index, len(ids) - 1)]
            if _placeholders(original) != _placeholders(translated):
                broken.append(f"  {original!r} → {translated!r}")
    assert not broken, "translations whose placeholders differ from the original:\n" + "\n".join(
        broken
    )


def test_placeholder_comparison() -> None:
    assert _placeholders("Hola %(name)s, %(n)d") == _placeholders("%(n)d para %(name)s")
    assert _placeholders("%(n)d items") != _placeholders("%(n)s elementos")
    assert _placeholders("%(user)s") != _placeholders("%(usuario)s")
    assert _placeholders("100%% done") == _placeholders("hecho al 100%%")


def test_spanish_catalog_is_where_flask_babel_looks() -> None:
    from qms.core.i18n import TRANSLATIONS_DIR

    assert Path(TRANSLATIONS_DIR) == SPANISH_PO.parents[2]
