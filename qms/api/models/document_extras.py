"""Change requests, administered document types, the master list and "my work" in the API."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from qms.api.models.common import Day, Moment, Response, from_row, one_of
from qms.api.models.documents import DocumentType, type_fields
from qms.documents.in_force import shown_state
from qms.documents.master_list import DueReview as DueReviewValue
from qms.documents.master_list import MasterListRow as RowValue
from qms.documents.models import ChangeRequest as RequestRow
from qms.documents.models import (
    ChangeRequestKind,
    ChangeRequestState,
    DocumentVersion,
    VersionState,
)
from qms.documents.models import DocumentType as TypeRow
from qms.documents.my_work import ReviewDue


class ChangeRequest(Response):
    id: int
    kind: str = one_of(ChangeRequestKind)
    state: str = one_of(ChangeRequestState)
    reason: str
    document_id: int | None
    document_code: str | None
    proposed_title: str
    proposed_type_id: int | None
    proposed_process_id: int | None
    requested_by_id: int
    requested_by: str
    requested_at: Moment
    decided_by_id: int | None
    decided_at: Moment | None
    decision_reason: str
    version_ids: list[int] = Field(
        description="Versions opened from the request that the reader may see."
    )

    @classmethod
    def of(cls, request: RequestRow, version_ids: list[int]) -> Self:
        """`version_ids`: those the reader may see (the edge filters them)."""
        return from_row(
            cls,
            request,
            document_code=request.document.code if request.document else None,
            requested_by=request.requested_by.full_name,
            version_ids=version_ids,
        )


class ChangeRequestList(Response):
    items: list[ChangeRequest]


class ManagedDocumentType(DocumentType):
    """A document type as its administrators see it, active or not."""

    active: bool

    @classmethod
    def of(cls, doc_type: TypeRow) -> Self:
        return cls(**type_fields(doc_type), active=doc_type.active)


class MasterListRow(Response):
    document_id: int
    code: str
    title: str
    type: str = Field(description="The type's key.")
    process: str = Field(description="The process code.")
    version: int
    effective_from: Day | None
    owner: str
    next_review_on: Day | None
    state: str = one_of(VersionState)

    @classmethod
    def of(cls, row: RowValue) -> Self:
        # The page's own JSON of the row, so that both always agree.
        return cls(document_id=row.document_id, **row.as_json())


class MasterList(Response):
    items: list[MasterListRow]


class DueReview(MasterListRow):
    days_overdue: int = Field(description="Negative: due in as many.")

    @classmethod
    def of_due(cls, due: DueReviewValue) -> Self:
        row = due.row
        return cls(document_id=row.document_id, **row.as_json(), days_overdue=due.days_overdue)


class DueReviewList(Response):
    items: list[DueReview]


class WorkVersion(Response):
    id: int
    document_id: int
    document_code: str
    document_title: str
    number: int
    state: str = one_of(VersionState)

    @classmethod
    def of(cls, version: DocumentVersion) -> Self:
        return cls(
            id=version.id,
            document_id=version.document_id,
            document_code=version.document.code,
            document_title=version.document.title,
            number=version.number,
            state=shown_state(version),
        )


class WorkReview(Response):
    document_id: int
    document_code: str
    document_title: str
    due_on: Day
    is_overdue: bool

    @classmethod
    def of(cls, due: ReviewDue) -> Self:
        return cls(
            document_id=due.document.id,
            document_code=due.document.code,
            document_title=due.document.title,
            due_on=due.due_on,
            is_overdue=due.is_overdue,
        )


class MyWork(Response):
    """Drafts I own, versions waiting for my signature, reviews due, requests."""

    drafts: list[WorkVersion]
    to_sign: list[WorkVersion]
    reviews_due: list[WorkReview]
    change_requests: list[ChangeRequest]
