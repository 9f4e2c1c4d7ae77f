"""Search results through the API: as the search page shows them (qms.search.results)."""

from __future__ import annotations

from typing import Self

from flask import url_for
from pydantic import Field

from qms.api.models.common import Day, Response
from qms.search.results import DocumentHit, Facet, RecordHit, Results, VersionHit


class SearchVersion(Response):
    version_id: int
    number: int
    state: str = Field(
        description="As it reads today (an approved version whose day has come is effective)."
    )
    effective_from: Day | None
    snippet: str = Field(description="HTML: the text escaped, the matches in `<mark>`.")

    @classmethod
    def of(cls, hit: VersionHit) -> Self:
        return cls(
            version_id=hit.version_id,
            number=hit.number,
            state=hit.state,
            effective_from=hit.effective_from,
            snippet=str(hit.snippet),
        )


class SearchDocument(Response):
    rank: int = Field(description="Its place among all hits (documents and records), from 0.")
    document_id: int
    code: str
    title: str
    process: str
    process_code: str
    type_name: str
    versions: list[SearchVersion] = Field(
        description="The matching versions, the one in force (or asked for) first."
    )

    @classmethod
    def of(cls, hit: DocumentHit, rank: int) -> Self:
        return cls(
            rank=rank,
            document_id=hit.document_id,
            code=hit.code,
            title=hit.title,
            process=hit.process,
            process_code=hit.process_code,
            type_name=hit.type_name,
            versions=[SearchVersion.of(v) for v in hit.versions],
        )


class SearchRecord(Response):
    rank: int = Field(description="Its place among all hits (documents and records), from 0.")
    kind: str = Field(
        description="`nonconformity`, `pqrs`, `audit`, `finding` or `change_request`."
    )
    id: int
    code: str
    title: str
    state: str
    state_label: str
    process: str
    day: Day | None = Field(description="Reported, received, planned or requested on.")
    url: str
    snippet: str = Field(description="HTML: the text escaped, the matches in `<mark>`.")

    @classmethod
    def of(cls, hit: RecordHit, rank: int) -> Self:
        shown = hit.shown
        return cls(
            rank=rank,
            kind=hit.kind,
            id=shown.object_id,
            code=shown.code,
            title=shown.title,
            state=shown.state,
            state_label=shown.state_label,
            process=shown.process,
            day=shown.day,
            url=url_for(shown.endpoint, **shown.url_args),
            snippet=str(hit.snippet),
        )


class SearchFacet(Response):
    value: str = Field(description="What the filter takes, e.g. `proceso:AC`.")
    label: str
    count: int

    @classmethod
    def of(cls, facet: Facet) -> Self:
        return cls(value=facet.value, label=facet.label, count=facet.count)


class SearchResults(Response):
    total: int = Field(description="Documents and records found, before the limit.")
    documents: list[SearchDocument]
    records: list[SearchRecord] = Field(
        description="Nonconformities, PQRS, audits, findings and change requests."
    )
    facets: dict[str, list[SearchFacet]] = Field(
        description="Counts of hits by kind, process, type, state and year."
    )

    @classmethod
    def of(cls, results: Results) -> Self:
        ranked = list(enumerate(results.hits))
        return cls(
            total=results.total,
            documents=[SearchDocument.of(h, r) for r, h in ranked if isinstance(h, DocumentHit)],
            records=[SearchRecord.of(h, r) for r, h in ranked if isinstance(h, RecordHit)],
            facets={
                name: [SearchFacet.of(f) for f in found] for name, found in results.facets.items()
            },
        )
