"""Snippets: the passage where a word matches, escaped, the match marked; in a long document
only the stretch around the first match is analysed, and it still holds the match."""

from __future__ import annotations

from qms.search.services import WINDOW_AFTER, WINDOW_BEFORE, snippet_for


def test_a_match_deep_in_a_long_document_is_marked() -> None:
    filler = "Texto de relleno sin la palabra buscada. " * 400
    text = filler + "Aquí la <b>Petición</b> del usuario. " + filler
    snippet = str(snippet_for(text, frozenset({"peticion"})))
    assert "<mark>Petición</mark>" in snippet
    assert "&lt;b&gt;" in snippet and "<b>" not in snippet
    assert len(snippet) < WINDOW_BEFORE + WINDOW_AFTER


def test_no_match_in_the_text_shows_its_start() -> None:
    text = "Inicio del documento. " + "Relleno. " * 500
    assert str(snippet_for(text, frozenset({"zirconio"}))).startswith("Inicio del documento.")


def test_a_letter_that_folds_to_two_keeps_the_whole_text() -> None:
    text = "Æ" * 10 + "Relleno. " * 300 + "Una queja. "
    assert "<mark>queja</mark>" in str(snippet_for(text, frozenset({"quej"})))
