"""The names a version imported from Word was signed by on paper (kept with the version, never
as e-signatures), as the page, the print and the history table show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from qms.documents.models import DocumentVersion


@dataclass(frozen=True)
class PaperSigner:
    meaning: str  # a SignatureMeaning value
    name: str
    job_title: str
    on: date | None

    @property
    def printed(self) -> str:
        return f"{self.name} — {self.job_title}" if self.job_title else self.name


def signed_on_paper(version: DocumentVersion) -> bool:
    """Imported and never submitted here: its signatures are the file's names."""
    return version.imported_at is not None and version.round == 0


def paper_signers(version: DocumentVersion, meaning: str | None = None) -> list[PaperSigner]:
    if not signed_on_paper(version):
        return []
    found = []
    for person in version.imported_signers or []:
        if not person.get("name") or (meaning is not None and person.get("meaning") != meaning):
            continue
        on = person.get("on")
        found.append(
            PaperSigner(
                meaning=str(person.get("meaning", "")),
                name=str(person["name"]),
                job_title=str(person.get("job_title") or ""),
                on=date.fromisoformat(on) if isinstance(on, str) and on else None,
            )
        )
    return found
