"""Request bodies of document control. Optional fields default to what the page assumes."""

from __future__ import annotations

from pydantic import Field

from qms.api.models.common import Block, Body, DayText, Password


class DocumentCreate(Body):
    title: str
    type_id: int | None = None
    type: str | None = Field(default=None, description="A type key, instead of type_id.")
    process_id: int | None = None
    process: str | None = Field(default=None, description="A process code, instead of process_id.")
    owner_id: int | None = Field(default=None, description="Defaults to the token's owner.")
    parent_id: int | None = None
    review_interval_months: int | None = None
    retention_years: int = 5
    external_source: str = ""
    external_edition: str = ""
    next_verification_on: DayText | None = None


class DraftUpdate(Body):
    """Replaces what it names, all or nothing."""

    content: list[Block] | None = Field(default=None, description="Ordered content blocks.")
    change_summary: str | None = None


class Submit(Body):
    password: Password


class Review(Body):
    password: Password
    comment: str = ""


class Approve(Body):
    password: Password
    comment: str = ""
    effective_from: DayText | None = None


class Reject(Body):
    password: Password
    reason: str


class Discard(Body):
    reason: str


class Withdraw(Body):
    password: Password
    reason: str


class PeriodicReview(Body):
    password: Password
    comment: str = ""
