"""The nonconformity register as rows, and as CSV and XLSX files (text never read as a formula)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.capa import forms as labels
from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import Nonconformity
from qms.capa.origins import list_origins
from qms.capa.services import list_nonconformities
from qms.core import spreadsheets
from qms.core.localtime import local_date
from qms.core.timefmt import format_moment


def columns() -> list[str]:
    return [
        _("Code"),
        _("State"),
        _("Source"),
        _("Severity"),
        _("Process"),
        _("Title"),
        _("Detected on"),
        _("ISO 9001 clause"),
        _("Root cause"),
        _("Actions"),
        _("Open actions"),
        _("Check due"),
        _("Closed on"),
        _("Round"),
        _("Origin"),
    ]


def row(nc: Nonconformity, origin: str = "") -> list[Any]:
    analysis = nc.current_analysis()
    actions = nc.current_actions()
    return [
        nc.code,
        str(labels.STATE_LABELS.get(nc.state, nc.state)),  # words, as on the pages
        str(labels.SOURCE_LABELS.get(nc.source, nc.source)),
        str(labels.SEVERITY_LABELS.get(nc.severity, nc.severity)),
        nc.process.name,
        nc.title,
        nc.detected_on,
        nc.iso_clause,
        analysis.root_cause if analysis is not None else "",
        len(actions),
        sum(1 for a in actions if a.status in OPEN_ACTION),
        nc.check_due_on,
        local_date(nc.closed_at) if nc.closed_at is not None else None,
        nc.round,
        origin,
    ]


def register_rows(
    session: Session, actor: Any, where: Sequence[sa.ColumnElement[bool]] = ()
) -> list[list[Any]]:
    """What the actor may see, newest first (the list's own visibility rules), narrowed by
    the list's filters; the origin told by the packages that raise nonconformities."""
    found = list_nonconformities(session, actor, where=where)
    origins: dict[int, list[str]] = {}
    for source in list_origins():
        for nc_id, link in source.links(session, actor, [nc.id for nc in found]).items():
            origins.setdefault(nc_id, []).append(f"{link.label} {link.detail}".strip())
    return [row(nc, "; ".join(origins.get(nc.id, []))) for nc in found]


def csv_bytes(rows: list[list[Any]]) -> bytes:
    return spreadsheets.csv_bytes(columns(), rows)


def xlsx_bytes(rows: list[list[Any]], now: datetime) -> bytes:
    exported = format_moment(now, zone_name=True)
    return spreadsheets.xlsx_bytes(
        sheet_title=_("Nonconformities"),
        stamp=_("Nonconformity register — exported %(time)s", time=exported),
        header=columns(),
        rows=rows,
    )
