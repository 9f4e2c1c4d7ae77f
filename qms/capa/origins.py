"""Where nonconformities come from, as the packages that raise them tell the register.

Audits import capa, never the reverse: a package that opens nonconformities (today the audits,
from a finding) registers one `ListOrigin` in `app.extensions[EXTENSION]`. The register asks it
for the choices of its filter, the SQL condition of a chosen value, and the link of each row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

EXTENSION = "qms_nonconformity_list_origins"


@dataclass(frozen=True)
class OriginLink:
    label: str
    url: str | None  # None when the reader may not open it
    detail: str = ""  # e.g. the finding, after the audit's code
    detail_url: str | None = None


class ListOrigin(Protocol):
    name: str  # its query parameter (e.g. "audit")

    def label(self) -> str: ...

    def choices(self, session: Session, actor: Any) -> list[tuple[str, str]]: ...

    def condition(self, value: str) -> sa.ColumnElement[bool]: ...

    def links(
        self, session: Session, actor: Any, nc_ids: Sequence[int]
    ) -> dict[int, OriginLink]: ...


def list_origins() -> list[ListOrigin]:
    return list(current_app.extensions.get(EXTENSION, []))
