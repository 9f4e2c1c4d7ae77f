"""Document codes from a type's pattern, e.g. `{process}-{type}-{seq:02}` → `AC-PR-03`, or
typed as the organisation already writes them: letters, digits, '.', '_', '-' (`O.BP.C10`)."""

from __future__ import annotations

import re
import string

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import ValidationFailed
from qms.documents.models import Document

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
FIELDS = {"process", "type", "parent", "seq"}


def check_pattern(pattern: str) -> None:
    """A pattern names only known fields and has exactly one {seq}."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        raise ValidationFailed(
            str(_l("The code pattern is malformed.")), field="code_pattern"
        ) from None
    if names.count("seq") != 1 or not set(names) <= FIELDS:
        raise ValidationFailed(
            str(_l("A code pattern uses {process}, {type}, {parent} and exactly one {seq}.")),
            field="code_pattern",
        )


def next_code(
    session: Session, pattern: str, *, process: str, type: str, parent: str | None
) -> str:
    """The first code of the pattern with a sequence number never used before."""
    if "{parent" in pattern and not parent:
        raise ValidationFailed(
            str(_l("Documents of this type derive their code from a parent document.")),
            field="parent_id",
        )
    values = {"process": process, "type": type, "parent": parent or ""}
    prefix = pattern.split("{seq", 1)[0].format(**values)
    taken = set(session.scalars(sa.select(Document.code).where(Document.code.startswith(prefix))))
    seq = 1
    while True:
        code = pattern.format(seq=seq, **values).upper()
        if code not in taken:
            return code
        seq += 1


def is_taken(session: Session, code: str) -> bool:
    """True when a document (withdrawn ones included: codes are never reused) has `code`."""
    return session.scalar(sa.select(Document.id).where(Document.code == code).limit(1)) is not None


def clean_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        raise ValidationFailed(
            str(_l("Codes use uppercase letters, digits, '.', '_' or '-' (at most 40).")),
            field="code",
        )
    return code
