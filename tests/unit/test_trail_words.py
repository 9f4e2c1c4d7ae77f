"""Every trail action reads as words (qms/trail/words.py), and a missing one still does."""

from __future__ import annotations

from qms.core.trail_actions import TrailAction
from qms.trail import words


def test_every_action_has_a_phrase() -> None:
    assert [action.value for action in words.missing_phrases()] == []


def test_a_phrase_is_filled_from_the_event_values() -> None:
    assert words.phrase(TrailAction.DOCUMENT_APPROVE, "document_version", {"number": 2}) == (
        "approved version 2"
    )
    assert words.placeholders(TrailAction.DOCUMENT_APPROVE) == {"number"}


def test_without_a_phrase_or_its_values_the_generic_phrase_reads() -> None:
    generic = "recorded an event (Version)"
    assert words.phrase("thing:update", "document_version", {}) == generic
    assert words.phrase(TrailAction.DOCUMENT_APPROVE, "document_version", {}) == generic
    assert words.phrase(TrailAction.DOCUMENT_APPROVE, "document_version", {"number": None}) == (
        generic
    )
    assert words.action_label(TrailAction.DOCUMENT_APPROVE) == "approved version …"
