"""Links to document pages, for any package's pages (by id, None when there is none)."""

from __future__ import annotations

from qms.core.links import optional_url


def document_url(document_id: int | None) -> str | None:
    return optional_url("documents.show", document_id=document_id) if document_id else None
