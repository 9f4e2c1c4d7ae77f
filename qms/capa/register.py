"""The nonconformity register as rows, and as CSV and XLSX files (text never read as a formula)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import Nonconformity
from qms.capa.services import list_nonconformities
from qms.core.localtime import local_date
from qms.core.timefmt import format_day, format_moment, spreadsheet_day_format

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    ]


def row(nc: Nonconformity) -> list[Any]:
    analysis = nc.current_analysis()
    actions = nc.current_actions()
    return [
        nc.code,
        nc.state,
        nc.source,
        nc.severity,
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
    ]


def register_rows(session: Session, actor: Any) -> list[list[Any]]:
    """What the actor may see, newest first (the list's own visibility rules)."""
    return [row(nc) for nc in list_nonconformities(session, actor)]


def _safe_text(value: Any) -> Any:
    if isinstance(value, date):
        return format_day(value)  # as the pages write it
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet opening the CSV must not run it
    return value


def csv_bytes(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns())
    writer.writerows([_safe_text(v) for v in r] for r in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def xlsx_bytes(rows: list[list[Any]], now: datetime) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Nonconformities")[:31]
    exported = format_moment(now, zone_name=True)
    sheet.append([_("Nonconformity register — exported %(time)s", time=exported)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(columns())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    day_format = spreadsheet_day_format()
    for values in rows:
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = day_format  # a real date, shown as the pages show it
            elif isinstance(cell.value, str):
                cell.data_type = "s"
    for index in range(1, len(columns()) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
