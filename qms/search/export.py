"""Search results as a spreadsheet for an audit file: one row per hit, as the page lists them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flask import url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from markupsafe import Markup

from qms.core import spreadsheets
from qms.core.timefmt import format_moment, zone_label
from qms.documents.models import VersionState
from qms.documents.sign_forms import STATE_LABELS as VERSION_STATE_LABELS
from qms.search.results import DocumentHit, RecordHit, Results


def header() -> list[str]:
    return [
        pgettext("search", "Kind"),
        _("Code"),
        _("Title"),
        _("Version"),
        _("State"),
        _("Process"),
        _("Date"),
        _("Match"),
        _("Link"),
    ]


def _text(snippet: Markup) -> str:
    return snippet.striptags()


def rows(results: Results) -> Iterator[list[object]]:
    for hit in results.hits:
        if isinstance(hit, DocumentHit):
            head = hit.head
            yield [
                _("Document"),
                hit.code,
                hit.title,
                head.number,
                str(VERSION_STATE_LABELS.get(VersionState(head.state), head.state)),
                hit.process,
                head.day,
                _text(head.snippet),
                url_for("documents.version", version_id=head.version_id, _external=True),
            ]
        else:
            yield _record_row(hit)


def _record_row(hit: RecordHit) -> list[object]:
    shown = hit.shown
    return [
        hit.kind_label,
        shown.code,
        shown.title,
        "",
        shown.state_label,
        shown.process,
        shown.day,
        _text(hit.snippet),
        url_for(shown.endpoint, **shown.url_args, _external=True),
    ]


def csv_bytes(results: Results) -> bytes:
    return spreadsheets.csv_bytes(header(), rows(results))


def xlsx_bytes(results: Results, query: str, now: datetime) -> bytes:
    title = _("Search: %(q)s", q=query)
    stamp = _(
        "%(title)s — exported %(time)s (%(zone)s)",
        title=title,
        time=format_moment(now),
        zone=zone_label(),
    )
    return spreadsheets.xlsx_bytes(
        sheet_title=_("Search"), stamp=stamp, header=header(), rows=rows(results), book_title=title
    )


def filename(now: datetime, ext: str) -> str:
    return f"search-{now:%Y%m%d-%H%M%S}.{ext}"
