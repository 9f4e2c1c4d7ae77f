"""Unit tests for the built-in ISO 9001:2015 clause catalogue."""

from __future__ import annotations

import pytest

from qms.documents.iso9001 import CLAUSES, clauses, is_clause, sort_key, title_of

NUMBERS = [clause.number for clause in CLAUSES]


def test_numbers_are_unique() -> None:
    assert len(NUMBERS) == len(set(NUMBERS))


def test_numbers_are_in_sort_key_order() -> None:
    assert sorted(NUMBERS, key=sort_key) == NUMBERS


def test_covers_main_clauses_four_to_ten() -> None:
    top_level = [n for n in NUMBERS if "." not in n]
    assert top_level == ["4", "5", "6", "7", "8", "9", "10"]
    for number in ("4.4.2", "7.1.6", "7.5.3.2", "8.3.6", "8.5.6", "9.3.3", "10.3"):
        assert is_clause(number), number


def test_every_parent_is_in_catalogue() -> None:
    for number in NUMBERS:
        if "." in number:
            parent = number.rsplit(".", 1)[0]
            assert is_clause(parent), number


def test_titles_are_non_empty() -> None:
    for clause in CLAUSES:
        assert clause.es.strip(), clause.number
        assert clause.en.strip(), clause.number


@pytest.mark.parametrize(
    ("number", "es", "en"),
    [
        (
            "4.1",
            "Comprensión de la organización y de su contexto",
            "Understanding the organization and its context",
        ),
        ("7.5.3", "Control de la información documentada", "Control of documented information"),
        ("8.7", "Control de las salidas no conformes", "Control of nonconforming outputs"),
        ("9.2", "Auditoría interna", "Internal audit"),
        ("10.2", "No conformidad y acción correctiva", "Nonconformity and corrective action"),
        ("5.1.1", "Generalidades", "General"),
        ("5.1.2", "Enfoque al cliente", "Customer focus"),
    ],
)
def test_spot_check_titles(number: str, es: str, en: str) -> None:
    assert title_of(number, "es") == es
    assert title_of(number, "en") == en


def test_clauses_regional_spanish() -> None:
    listing = clauses("es-CO")
    assert [item["number"] for item in listing] == NUMBERS
    assert {"number": "9.3", "title": "Revisión por la dirección"} in listing
    assert {"number": "10.3", "title": "Mejora continua"} in listing


def test_clauses_other_language_is_english() -> None:
    listing = clauses("fr")
    assert {"number": "10.3", "title": "Continual improvement"} in listing


def test_title_of_unknown_is_none() -> None:
    assert title_of("11.1", "es") is None
    assert title_of("", "en") is None
    assert not is_clause("3.1")


def test_sort_key_is_numeric() -> None:
    assert sort_key("10.1") > sort_key("9.3")
    assert sort_key("7.1.10") > sort_key("7.1.9")


def test_sort_key_tolerates_odd_input() -> None:
    assert sort_key("A.1") > sort_key("10.3")
    assert sort_key("") > sort_key("10.3")
    assert sort_key("8.x") > sort_key("8.7.2")
