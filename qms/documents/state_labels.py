"""The one word for each state of a document version, wherever it is shown.

Badges, the version and document pages, the master list and its exports, search results and
the mark stamped on a printed copy all read this map, so a state never has two names. The
Spanish words are the usual ones of a Colombian quality system and of the glossary:

    draft        Borrador         in_review    En revisión      in_approval  En aprobación
    approved     Aprobado         effective    Vigente          superseded   Desactualizado
    obsolete     Obsoleto         discarded    Descartado

A superseded version was replaced by a newer one of the same document; an obsolete one belongs
to a withdrawn document. Marks in capitals (the stale mark, the print stamp) are these words
upper-cased, never separate translations.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from qms.documents.models import VersionState

S = VersionState

VERSION_STATE_LABELS = {
    S.DRAFT: _l("Draft"),
    S.IN_REVIEW: _l("In review"),
    S.IN_APPROVAL: _l("In approval"),
    S.APPROVED: _lp("version state", "Approved"),
    S.EFFECTIVE: _l("Effective"),
    S.SUPERSEDED: _l("Superseded"),
    S.OBSOLETE: _l("Obsolete"),
    S.DISCARDED: _l("Discarded"),
}


def version_state_label(state: str) -> str:
    """The state's word in the current language; an unknown key is shown as it is."""
    try:
        return str(VERSION_STATE_LABELS[S(state)])
    except ValueError:
        return str(state)


def version_state_mark(state: str) -> str:
    """The same word in capitals, for marks meant to be seen from afar."""
    return version_state_label(state).upper()


def signature_meaning_label(meaning: str) -> str:
    """What a signature means (authored, reviewed…), from its one map in sign_forms."""
    from qms.documents.sign_forms import MEANING_LABELS  # sign_forms imports this module

    label = next((v for k, v in MEANING_LABELS.items() if k == meaning), None)
    return str(label) if label is not None else str(meaning)
