"""How text becomes index terms, shared by indexing and querying.

Accents are folded before stemming: people type "atencion" and "peticion", and the Spanish
stemmer treats folded words alike, so either spelling meets the other. Codes are kept whole,
lower-cased, with every family prefix (`CSC-AC-CR-01` → `csc`, `csc-ac`, `csc-ac-cr`,
`csc-ac-cr-01`), so a code is found in any case and by the family it starts.
"""

from __future__ import annotations

import re
import unicodedata

from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

STOP_WORDS = frozenset(
    word.translate(str.maketrans("áéíóúü", "aeiouu")) for word in stopwords_for_language("es")
)
# Words, and clause numbers such as 8.5.1 kept whole (the tokenizer's default pattern).
ANALYZER = (
    RegexTokenizer()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter(stoplist=STOP_WORDS, minsize=1)
    | StemFilter(lang="es")
)
# Names of people and processes: folded, never stemmed ("Luisa" is not "Luis").
NAME_ANALYZER = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)

_CLAUSE = re.compile(r"\b\d+(?:\.\d+)+\b")


def fold(text: str) -> str:
    """Lower case without accents: "Código" and "codigo" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Accented letters and their plain ones, one character for one (the map's ligatures are left).
_ONE_TO_ONE = {key: value for key, value in accent_map.items() if len(value) == 1}


def fold_keep_length(text: str) -> str:
    """Lower case without accents, one character for each of `text`'s: a place found in the
    result is the same place in `text` (for marking or cutting it there)."""
    folded = text.lower().translate(_ONE_TO_ONE)
    if len(folded) == len(text):
        return folded
    out = []  # a letter whose lower case is two ("İ"): character by character
    for c in text:
        base = unicodedata.normalize("NFD", c)[0].lower()
        out.append(base if len(base) == 1 else c)
    return "".join(out)


def code_prefixes(code: str) -> list[str]:
    """The code folded, and each family it belongs to: split at every `-` and `.`."""
    folded = fold(code)
    cuts = [m.start() for m in re.finditer(r"[-.]", folded)]
    return [folded[:cut] for cut in cuts if cut > 0] + [folded]


def clause_numbers(text: str) -> list[str]:
    """ISO clause numbers written in `text` (`8.5.1`)."""
    return _CLAUSE.findall(text)
