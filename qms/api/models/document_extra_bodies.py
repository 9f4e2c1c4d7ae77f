"""Request bodies of change requests, document-type administration and code correction.

Kinds, bounds and block kinds are listed for clients but checked by the services, which name
the offending field in the words the pages use.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

from qms.api.models.common import Body, one_of
from qms.documents.models import ChangeRequestKind
from qms.organisation.layout import ORIENTATIONS

_FOR_CREATE = "For create."
# Any items: a block kind that is no text gets the endpoint's "Unknown block kind" on the field.
BlockKinds = Annotated[list[Any], WithJsonSchema({"type": "array", "items": {"type": "string"}})]


class ChangeRequestCreate(Body):
    kind: str = one_of(ChangeRequestKind)
    reason: str
    document_id: int | None = Field(default=None, description="For modify and withdraw.")
    proposed_title: str | None = Field(default=None, description=_FOR_CREATE)
    proposed_type_id: int | None = Field(default=None, description=_FOR_CREATE)
    proposed_process_id: int | None = Field(default=None, description=_FOR_CREATE)


class ChangeRequestAccept(Body):
    reason: str = ""


class ChangeRequestReject(Body):
    reason: str


class DocumentTypeUpdate(Body):
    """Changes what it names; the rest stays. Earlier documents keep their codes."""

    name: str | None = None
    abbreviation: str | None = Field(default=None, description="1–10 uppercase letters or digits.")
    code_pattern: str | None = Field(default=None, description="e.g. `{process}-{type}-{seq:02}`.")
    default_blocks: BlockKinds | None = None
    review_interval_months: int | None = Field(
        default=None, json_schema_extra={"minimum": 1, "maximum": 120}
    )
    route: dict[str, Any] | None = Field(
        default=None,
        description="`{review: {roles, users, count, sequential}, approval: {...}}`.",
    )
    is_external: bool | None = None
    distinct_signers: bool | None = Field(
        default=None,
        description="Segregation of duties (default true): whoever reviews a version does "
        "not also approve it.",
    )
    orientation: str | None = one_of(
        ORIENTATIONS, default=None, description="How its documents print (a draft may differ)."
    )


class DocumentTypeCreate(DocumentTypeUpdate):
    key: str = Field(description="Lowercase, never changes.")
    name: str
    abbreviation: str = Field(description="1–10 uppercase letters or digits.")
    code_pattern: str = Field(description="e.g. `{process}-{type}-{seq:02}`.")


# What a PATCH may change: all but the key.
TYPE_FIELDS = tuple(DocumentTypeUpdate.model_fields)


class CodeCorrection(Body):
    code: str
    reason: str
