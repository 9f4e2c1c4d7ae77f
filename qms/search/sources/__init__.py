"""Every kind the index holds, declared once: the index, the hooks that keep it in step, the
filters, facets and results all read this registry."""

from __future__ import annotations

from qms.search.sources.audits import AuditSource
from qms.search.sources.base import Entry, Shown, Source, key_of
from qms.search.sources.change_requests import ChangeRequestSource
from qms.search.sources.findings import FindingSource
from qms.search.sources.nonconformities import NonconformitySource
from qms.search.sources.pqrs import PqrsSource
from qms.search.sources.versions import VersionSource

SOURCES: tuple[Source, ...] = (
    VersionSource(),
    NonconformitySource(),
    PqrsSource(),
    AuditSource(),
    FindingSource(),
    ChangeRequestSource(),
)
BY_KIND: dict[str, Source] = {source.kind: source for source in SOURCES}


def sources_for(object_type: str) -> list[Source]:
    """The sources an event on `object_type` may touch."""
    return [source for source in SOURCES if object_type in source.object_types]


def split_key(key: str) -> tuple[str, int]:
    kind, _, object_id = key.partition(":")
    return kind, int(object_id)


__all__ = ["BY_KIND", "SOURCES", "Entry", "Shown", "Source", "key_of", "sources_for", "split_key"]
