"""Where an imported document goes: the process and the document type its file names, matched
by code or name (accents and case aside), or created when missing: a quality lead's migration
brings its process map and its kinds of documents with it (the import permission covers that;
each is reported and has its own trail event)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import ValidationFailed
from qms.documents.models import DocumentType
from qms.processes.models import Process, ProcessType
from qms.processes.services import create_process, find_process
from qms.search.analysis import STOP_WORDS, fold
from qms.word.parsed import Parsed


def process_named(parsed: Parsed) -> str:
    return (parsed.process or parsed.macroprocess).strip()


def matching_process(session: Session, named: str) -> Process | None:
    """The process `named` is the code or the name of, if any."""
    found = find_process(session, named) if len(named) <= 20 else None
    if found is None:
        wanted = fold(named)
        found = next(
            (p for p in session.scalars(sa.select(Process)) if fold(p.name) == wanted), None
        )
    return found


def matching_type(session: Session, named: str) -> DocumentType | None:
    """The active type `named` is the name, key or abbreviation of, if any."""
    wanted = fold(named)
    for candidate in session.scalars(sa.select(DocumentType).where(DocumentType.active)):
        if wanted in (fold(candidate.name), fold(candidate.key), fold(candidate.abbreviation)):
            return candidate
    return None


def process_for(
    session: Session, actor: Any, parsed: Parsed, process_id: int | None, created: list[str]
) -> Process:
    if process_id is not None:
        chosen = session.get(Process, process_id)
        if chosen is None or not chosen.active:
            raise ValidationFailed(str(_l("Choose an active process.")), field="process_id")
        return chosen
    named = process_named(parsed)
    if not named:
        raise ValidationFailed(
            str(_l("The file names no process: choose one.")), field="process_id"
        )
    found = matching_process(session, named)
    if found is not None:
        return found
    made = create_process(
        session,
        actor,
        code=_free_code(session, named),
        name=named[:100],
        type=ProcessType.CORE,
        leader_id=actor.id,
        bypass_permission=True,  # the import permission covers it: a migration brings its map
    )
    created.append(f"process:{made.code}")
    return made


def _initials(name: str) -> str:
    words = [w for w in fold(name).replace("-", " ").split() if w not in STOP_WORDS]
    letters = "".join(w[0] for w in words).upper()
    return "".join(c for c in letters if c.isalnum())[:8] or "P"


def _free_code(session: Session, name: str) -> str:
    base = _initials(name)
    code, n = base, 1
    while find_process(session, code) is not None:
        n += 1
        code = f"{base}{n}"
    return code


def _free_abbreviation(session: Session, name: str) -> str:
    """Initials, or the first letters, of the type's name; a digit added while taken."""
    letters = "".join(c for c in fold(name).upper() if c.isalnum())
    base = _initials(name)[:4] if len(name.split()) > 1 else letters[:2]
    taken = set(session.scalars(sa.select(DocumentType.abbreviation)))
    for candidate in (base, letters[:3], letters[:4]):
        if candidate and candidate not in taken:
            return candidate
    n = 2
    while f"{base[:8]}{n}" in taken:
        n += 1
    return f"{base[:8]}{n}"


def type_for(
    session: Session, actor: Any, parsed: Parsed, type_id: int | None, created: list[str]
) -> DocumentType:
    if type_id is not None:
        chosen = session.get(DocumentType, type_id)
        if chosen is None or not chosen.active:
            raise ValidationFailed(str(_l("Choose a document type.")), field="type_id")
        return chosen
    named = (parsed.type_name or "").strip()
    if not named:
        raise ValidationFailed(
            str(_l("The file names no document type: choose one.")), field="type_id"
        )
    found = matching_type(session, named)
    if found is not None:
        return found
    wanted = fold(named)
    from qms.documents.types import create_type

    abbreviation = _free_abbreviation(session, named)
    key = "".join(c if c.isalnum() else "_" for c in wanted)[:40].strip("_") or "imported"
    if not key[0].isalpha():
        key = f"t_{key}"[:40]
    made = create_type(
        session,
        actor,
        key=key,
        name=named[:100],
        abbreviation=abbreviation,
        code_pattern="{process}-{type}-{seq:02}",
    )
    created.append(f"document_type:{made.key}")
    return made
