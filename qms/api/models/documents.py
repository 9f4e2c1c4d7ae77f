"""Document control in the API: types, documents, versions, their signatures and files.

Built by explicit constructors, not from attributes: several values are derived (the shown
state, the type's key, the owner's name) and the edge decides what the reader may see.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import Field

from qms.api.models.common import Block, Day, Moment, Response, from_row, one_of
from qms.documents.history import HistoryRow as HistoryRowValue
from qms.documents.in_force import shown_state
from qms.documents.models import Attachment as AttachmentRow
from qms.documents.models import Document as DocumentRow
from qms.documents.models import DocumentType as TypeRow
from qms.documents.models import DocumentVersion, Origin, SignatureMeaning, VersionState
from qms.documents.models import Signature as SignatureRow
from qms.documents.types import snapshot
from qms.organisation.layout import ORIENTATIONS

_NAMES = "Name — job title, as signed."


def _state() -> Any:
    return one_of(VersionState)


class DocumentType(Response):
    id: int
    key: str
    name: str
    abbreviation: str
    code_pattern: str
    default_blocks: list[str]
    review_interval_months: int
    route: dict[str, Any] = Field(description="Who reviews and approves, how many.")
    is_external: bool
    distinct_signers: bool = Field(
        description="Whoever reviews a version does not also approve it."
    )
    orientation: str = one_of(ORIENTATIONS, description="How its documents print.")

    @classmethod
    def of(cls, doc_type: TypeRow) -> Self:
        return cls(**type_fields(doc_type))


def type_fields(doc_type: TypeRow) -> dict[str, Any]:
    """The values of DocumentType (as the trail records them) with its id; `active` only for
    the administrators' ManagedDocumentType."""
    fields = {"id": doc_type.id, **snapshot(doc_type)}
    del fields["active"]
    return fields


class DocumentTypeList(Response):
    items: list[DocumentType]


class VersionSummary(Response):
    id: int
    number: int
    state: str = _state()
    effective_from: Day | None

    @classmethod
    def of(cls, version: DocumentVersion | None) -> Self | None:
        if version is None:
            return None
        return cls(
            id=version.id,
            number=version.number,
            state=shown_state(version),
            effective_from=version.effective_from,
        )


class Document(Response):
    id: int
    code: str
    title: str
    type: str
    type_id: int
    process: str
    process_id: int
    owner_id: int
    owner: str
    parent_id: int | None
    origin: str = one_of(Origin)
    review_interval_months: int
    retention_years: int
    external_source: str
    external_edition: str
    next_verification_on: Day | None
    code_locked: bool
    created_at: Moment
    in_force: VersionSummary | None
    open_version: VersionSummary | None = Field(
        description="The draft or version under way; null when none or hidden."
    )
    next_review_on: Day | None

    @classmethod
    def of(
        cls,
        document: DocumentRow,
        *,
        in_force: DocumentVersion | None,
        open_version: DocumentVersion | None,
        next_review_on: date | None,
    ) -> Self:
        """`open_version` only when the caller may see it: the edge decides, not the model."""
        return from_row(
            cls,
            document,
            type=document.type.key,
            process=document.process.code,
            owner=document.owner.full_name,
            in_force=VersionSummary.of(in_force),
            open_version=VersionSummary.of(open_version),
            next_review_on=next_review_on,
        )


class DocumentList(Response):
    items: list[Document]


class HistoryRow(Response):
    version_id: int
    number: int
    effective_from: Day | None
    authored: list[str] = Field(description=_NAMES)
    reviewed: list[str] = Field(description=_NAMES)
    approved: list[str] = Field(description=_NAMES)
    change_summary: str
    state: str = _state()

    @classmethod
    def of(cls, row: HistoryRowValue) -> Self:
        names = {"authored": list(row.authored), "reviewed": list(row.reviewed)}
        return from_row(cls, row, **names, approved=list(row.approved))


class VersionHistory(Response):
    items: list[HistoryRow]


class Signature(Response):
    """Never editable; name and job title as they were at signing."""

    id: int
    user_id: int
    printed_name: str
    job_title: str
    meaning: str = one_of(SignatureMeaning)
    signed_at: Moment
    comment: str
    content_sha256: str
    round: int

    @classmethod
    def of(cls, signature: SignatureRow) -> Self:
        return from_row(cls, signature)


class Attachment(Response):
    id: int
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: Moment

    @classmethod
    def of(cls, attachment: AttachmentRow) -> Self:
        return from_row(cls, attachment, sha256=attachment.blob_sha256)


class Version(Response):
    id: int
    document_id: int
    document_code: str
    number: int
    state: str = _state()
    change_summary: str
    content: list[Block] = Field(description="Ordered content blocks.")
    content_sha256: str = Field(description="Empty until submitted.")
    round: int
    effective_from: Day | None
    author_id: int
    author: str
    created_at: Moment
    submitted_at: Moment | None
    approved_at: Moment | None
    effective_at: Moment | None
    superseded_at: Moment | None
    obsolete_at: Moment | None
    signatures: list[Signature]
    attachments: list[Attachment]

    @classmethod
    def of(cls, version: DocumentVersion, signatures: list[SignatureRow]) -> Self:
        """`signatures` as filtered by the edge for the reader (see documents.shown_signatures)."""
        return from_row(
            cls,
            version,
            document_code=version.document.code,
            state=shown_state(version),
            content=[dict(block) for block in version.content],
            author=version.author.full_name,
            signatures=[Signature.of(s) for s in signatures],
            attachments=[Attachment.of(a) for a in version.attachments],
        )


class SignedVersion(Response):
    signature: Signature
    version: Version
