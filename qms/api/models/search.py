"""Search results through the API: as the search page shows them (qms.search.results)."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from qms.api.models.common import Day, Response
from qms.search.results import DocumentHit, Facet, Results, VersionHit


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
    def of(cls, hit: DocumentHit) -> Self:
        return cls(
            document_id=hit.document_id,
            code=hit.code,
            title=hit.title,
            process=hit.process,
            process_code=hit.process_code,
            type_name=hit.type_name,
            versions=[SearchVersion.of(v) for v in hit.versions],
        )


class SearchFacet(Response):
    value: str = Field(description="What the filter takes, e.g. `proceso:AC`.")
    label: str
    count: int

    @classmethod
    def of(cls, facet: Facet) -> Self:
        return cls(value=facet.value, label=facet.label, count=facet.count)


class SearchResults(Response):
    total: int = Field(description="Documents found, before the limit.")
    documents: list[SearchDocument]
    facets: dict[str, list[SearchFacet]] = Field(
        description="Counts of documents by kind, process, type, state and year."
    )

    @classmethod
    def of(cls, results: Results) -> Self:
        return cls(
            total=results.total,
            documents=[SearchDocument.of(d) for d in results.documents],
            facets={
                name: [SearchFacet.of(f) for f in found] for name, found in results.facets.items()
            },
        )
