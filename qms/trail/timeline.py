"""One object's history: the trail events of a document (with its versions, their controlled
copies and its change requests), a version, a nonconformity (with its actions) or an audit.

Who sees it: whoever may see the object (its own visibility rule: a hidden object is NotFound)
and may read the trail, or owns the object (the `*_own` variant of its read permission: the
process owner of a document, the leader of a nonconformity's process, those an audit concerns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.models import Audit
from qms.audits.services import get_audit
from qms.capa.models import CapaAction, Nonconformity
from qms.capa.services import get_nonconformity
from qms.core.errors import NotFound, PermissionDenied
from qms.core.permissions import Permission, can
from qms.documents.models import ChangeRequest, Document, DocumentVersion
from qms.documents.queries import get_document, get_version
from qms.printing.models import ControlledCopy
from qms.trail.models import TrailEvent

P = Permission


def _ids(column: Any, *where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """Ids as the trail stores them (text), for `object_id IN (...)`."""
    return sa.select(sa.cast(column, sa.String)).where(*where)


def _about(object_type: str, ids: sa.Select[Any] | list[str]) -> sa.ColumnElement[bool]:
    return sa.and_(TrailEvent.object_type == object_type, TrailEvent.object_id.in_(ids))


def _document_events(document: Document) -> sa.ColumnElement[bool]:
    of_document = DocumentVersion.document_id == document.id
    versions = sa.select(DocumentVersion.id).where(of_document)
    return sa.or_(
        _about("document", [str(document.id)]),
        _about("document_version", _ids(DocumentVersion.id, of_document)),
        _about("controlled_copy", _ids(ControlledCopy.id, ControlledCopy.version_id.in_(versions))),
        _about("change_request", _ids(ChangeRequest.id, ChangeRequest.document_id == document.id)),
    )


def _version_events(version: DocumentVersion) -> sa.ColumnElement[bool]:
    return sa.or_(
        _about("document_version", [str(version.id)]),
        _about("controlled_copy", _ids(ControlledCopy.id, ControlledCopy.version_id == version.id)),
    )


def _nonconformity_events(nc: Nonconformity) -> sa.ColumnElement[bool]:
    return sa.or_(
        _about("nonconformity", [str(nc.id)]),
        _about("capa_action", _ids(CapaAction.id, CapaAction.nonconformity_id == nc.id)),
    )


def _audit_events(audit: Audit) -> sa.ColumnElement[bool]:
    return _about("audit", [str(audit.id)])


@dataclass(frozen=True)
class Kind:
    """A kind of object with a timeline: how it is loaded (through its visibility rule), whose
    it is, which events tell its history, and how it is named."""

    object_type: str
    load: Callable[[Session, Any, int], Any]
    read_all: Permission  # its `*_own` variant is what "owns it" means
    events: Callable[[Any], sa.ColumnElement[bool]]
    code: Callable[[Any], str]
    title: Callable[[Any], str]


def _version_code(version: DocumentVersion) -> str:
    return f"{version.document.code} v{version.number}"


KINDS: dict[str, Kind] = {
    "document": Kind(
        "document", get_document, P.DOCUMENT_READ_ALL, _document_events,
        lambda d: d.code, lambda d: d.title,
    ),
    "version": Kind(
        "document_version", get_version, P.DOCUMENT_READ_ALL, _version_events,
        _version_code, lambda v: v.document.title,
    ),
    "nonconformity": Kind(
        "nonconformity", get_nonconformity, P.NONCONFORMITY_READ_ALL, _nonconformity_events,
        lambda n: n.code, lambda n: n.title,
    ),
    "audit": Kind(
        "audit", get_audit, P.AUDIT_READ_ALL, _audit_events, lambda a: a.code, lambda a: a.title,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Subject:
    """The object whose history is asked for, already checked for this reader."""

    kind: str
    obj: Any

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    @property
    def object_type(self) -> str:
        return self.spec.object_type

    @property
    def object_id(self) -> int:
        return int(self.obj.id)

    @property
    def code(self) -> str:
        return self.spec.code(self.obj)

    @property
    def title(self) -> str:
        return self.spec.title(self.obj)

    def condition(self) -> sa.ColumnElement[bool]:
        return self.spec.events(self.obj)


def may_see_history(actor: Any, kind: str, obj: Any) -> bool:
    """For an object the actor already sees: may they read its history?"""
    return can(actor, P.TRAIL_READ) or can(actor, KINDS[kind].read_all, obj)


def subject(session: Session, actor: Any, kind: str, object_id: int) -> Subject:
    """The object through its own visibility rule (hidden or missing: NotFound), then the
    history's rule (PermissionDenied)."""
    spec = KINDS.get(kind)
    if spec is None:
        raise NotFound(str(_l("Not found.")))
    obj = spec.load(session, actor, object_id)
    if not may_see_history(actor, kind, obj):
        raise PermissionDenied(str(_l("You may not read the history of this record.")))
    return Subject(kind, obj)


def page_of_events(
    session: Session, subject: Subject, *, limit: int, offset: int
) -> tuple[list[TrailEvent], int]:
    """A page of the object's events, newest first, and how many there are."""
    where = subject.condition()
    total = session.scalar(sa.select(sa.func.count(TrailEvent.id)).where(where)) or 0
    stmt = sa.select(TrailEvent).where(where).order_by(TrailEvent.seq.desc())
    return list(session.scalars(stmt.limit(limit).offset(offset))), total


def all_events(session: Session, subject: Subject) -> Iterator[TrailEvent]:
    """Every event of the object, oldest first (the order of a printed record), in batches."""
    stmt = (
        sa.select(TrailEvent)
        .where(subject.condition())
        .order_by(TrailEvent.seq)
        .execution_options(yield_per=1000)
    )
    result = session.scalars(stmt)
    try:
        yield from result
    finally:
        result.close()
