"""Word import in the API: what a file was read as (the preview) and what it became."""

from __future__ import annotations

from typing import Self

from pydantic import Field

from qms.api.models.common import Block, Day, Response
from qms.word.importing import Imported
from qms.word.parsed import Parsed


class PaperSigner(Response):
    meaning: str = Field(description="authored, reviewed or approved.")
    name: str
    job_title: str
    on: Day | None


class HistoryRowIn(Response):
    number: int
    on: Day | None
    description: str
    who: str


class ImportPreview(Response):
    """What the file was read as; nothing is stored."""

    code: str
    title: str
    number: int | None
    effective_from: Day | None
    process: str
    type_name: str
    people: list[PaperSigner]
    blocks: list[Block]
    history: list[HistoryRowIn]
    guessed: list[str] = Field(
        description="Metadata keys, or block:<index>, inferred rather than read from a label."
    )
    notes: list[str]

    @classmethod
    def of(cls, parsed: Parsed) -> Self:
        return cls(
            code=parsed.code,
            title=parsed.title,
            number=parsed.number,
            effective_from=parsed.effective_from,
            process=parsed.process or parsed.macroprocess,
            type_name=parsed.type_name,
            people=[
                PaperSigner(meaning=p.meaning, name=p.name, job_title=p.job_title, on=p.on)
                for p in parsed.people
            ],
            blocks=parsed.blocks,
            history=[
                HistoryRowIn(number=r.number, on=r.on, description=r.description, who=r.who)
                for r in parsed.history
            ],
            guessed=sorted(parsed.guessed),
            notes=[str(note) for note in parsed.notes],
        )


class ImportReport(Response):
    """What the file became: a document with its version in force and earlier versions."""

    document_id: int
    code: str
    version_id: int
    number: int
    state: str
    blocks: dict[str, int] = Field(description="How many blocks of each kind.")
    history: int = Field(description="Earlier versions made from the history table.")
    created: list[str] = Field(description="Processes and types created: process:GCR…")
    guessed: list[str]

    @classmethod
    def of(cls, imported: Imported, parsed: Parsed) -> Self:
        return cls(
            document_id=imported.document_id,
            code=imported.code,
            version_id=imported.version_id,
            number=imported.number,
            state=imported.state,
            blocks=imported.blocks,
            history=imported.history,
            created=imported.created,
            guessed=sorted(parsed.guessed),
        )
