"""Document versions in the index: every structured block's text and table cells, the people
who authored, own and signed them, the clauses they cite."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import Session, selectinload
from whoosh import query as q

from qms.core.localtime import local_date
from qms.core.permissions import Permission, can, can_own_variant
from qms.core.storage import BlobStore
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.documents.queries import named_signer_version_ids, version_visibility
from qms.processes.models import Process, process_members
from qms.search.attachment_text import stored_file_text
from qms.search.sources.base import Entry, Shown, entry, key_of
from qms.search.text import content_text

P = Permission
KIND = "version"
# Recorded states a reader of versions in force may meet: an approved version reads as in
# force from its day on, before the tick records it (the database decides which).
IN_FORCE_STATES = (VersionState.EFFECTIVE, VersionState.APPROVED)


def year_of(effective_from: date | None, created_at: datetime) -> int:
    """The year a version belongs to: the year it takes effect, else the year it was begun."""
    return (effective_from or local_date(created_at)).year


def _store() -> BlobStore | None:
    """The app's blob store; None outside an app (the attachments' text is then left out)."""
    if not has_app_context():
        return None
    store: BlobStore | None = current_app.extensions.get("qms_store")
    return store


def attachments_text(version: DocumentVersion, store: BlobStore | None) -> str:
    """The names and the readable text of the version's attached files (.docx, PDF, text)."""
    parts: list[str] = []
    for attachment in version.attachments:
        parts.append(attachment.filename)
        if store is not None:
            parts.append(
                stored_file_text(
                    store, attachment.blob_sha256, attachment.media_type, attachment.filename
                )
            )
    return "\n".join(part for part in parts if part)


def _entry(version: DocumentVersion, store: BlobStore | None = None) -> Entry:
    document = version.document
    cited = [
        clause
        for block in version.content or []
        if block.get("kind") == "requirements"
        for clause in block.get("iso") or []
    ]
    people = [version.author.full_name, document.owner.full_name]
    people += [signature.printed_name for signature in version.signatures]
    return entry(
        KIND,
        version.id,
        code=document.code,
        title=document.title,
        content="\n".join(
            part
            for part in (content_text(version.content or []), attachments_text(version, store))
            if part
        ),
        state=str(version.state),
        year=year_of(version.effective_from, version.created_at),
        process=document.process.name,
        process_code=document.process.code,
        type_key=document.type.key,
        type_name=document.type.name,
        clauses=cited,
        people=people,
        document_id=document.id,
        number=version.number,
        closes=False,
    )


class VersionSource:
    kind: ClassVar[str] = KIND
    object_types: ClassVar[frozenset[str]] = frozenset({"document_version", "document", "process"})
    aliases: ClassVar[tuple[str, ...]] = ("documento", "document", "version")

    def label(self) -> str:
        return _("Document")

    def ids(self) -> sa.Select[Any]:
        return sa.select(DocumentVersion.id).order_by(DocumentVersion.id)

    def touched(self, session: Session, object_type: str, object_ids: set[int]) -> set[int]:
        if object_type == "document_version":
            return set(object_ids)
        if object_type == "document":
            where = DocumentVersion.document_id.in_(object_ids)
        else:  # a process renamed: its documents' versions carry its name
            documents = sa.select(Document.id).where(Document.process_id.in_(object_ids))
            where = DocumentVersion.document_id.in_(documents)
        return set(session.scalars(sa.select(DocumentVersion.id).where(where)))

    def entries(self, session: Session, ids: Iterable[int]) -> Mapping[int, Entry]:
        stmt = (
            sa.select(DocumentVersion)
            .where(DocumentVersion.id.in_(list(ids)))
            .options(
                selectinload(DocumentVersion.document).selectinload(Document.process),
                selectinload(DocumentVersion.signatures),
                selectinload(DocumentVersion.attachments),
            )
        )
        store = _store()
        return {version.id: _entry(version, store) for version in session.scalars(stmt)}

    def index_filter(self, session: Session, actor: Any) -> q.Query | None:
        if can(actor, P.DOCUMENT_READ_ALL):
            return None
        allowed: list[q.Query] = []
        if can(actor, P.DOCUMENT_READ):
            allowed += [
                q.And([q.Term("kind", KIND), q.Term("state", str(state))])
                for state in IN_FORCE_STATES
            ]
        if can_own_variant(actor, P.DOCUMENT_READ_ALL):
            # Document.owned_by_clause, as few terms as it takes: the processes one leads or
            # belongs to by code (a leader of many processes owns thousands of documents),
            # and one by one the documents one owns elsewhere.
            processes = sa.select(Process.id).where(
                sa.or_(
                    Process.leader_id == actor.id,
                    Process.id.in_(
                        sa.select(process_members.c.process_id).where(
                            process_members.c.user_id == actor.id
                        )
                    ),
                )
            )
            codes = session.scalars(sa.select(Process.code).where(Process.id.in_(processes)))
            allowed += [q.Term("process_code", code.lower()) for code in codes]
            owned = session.scalars(
                sa.select(Document.id).where(
                    Document.owner_id == actor.id, Document.process_id.not_in(processes)
                )
            )
            allowed += [q.Term("document", str(document_id)) for document_id in owned]
        allowed += [
            q.Term("key", key_of(KIND, version_id))
            for version_id in named_signer_version_ids(session, actor)
        ]
        return q.Or(allowed) if allowed else q.NullQuery

    def shown(self, session: Session, actor: Any, ids: Iterable[int]) -> Mapping[int, Shown]:
        """The versions the actor may see; `qms.search.results` groups them per document."""
        wanted = list(ids)
        if not wanted:
            return {}
        stmt = sa.select(
            DocumentVersion.id, DocumentVersion.state, DocumentVersion.effective_from
        ).where(DocumentVersion.id.in_(wanted), version_visibility(actor, session))
        return {
            row.id: Shown(
                kind=KIND,
                object_id=row.id,
                code="",
                title="",
                state=str(row.state),
                state_label="",
                process="",
                process_code="",
                day=row.effective_from,
                endpoint="documents.version",
                url_args={"version_id": row.id},
            )
            for row in session.execute(stmt)
        }
