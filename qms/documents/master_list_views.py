"""The master list page, its XLSX and CSV exports, and the periodic reviews due.

Filters come by GET (no CSRF token) and are read leniently: an unknown value is ignored,
never a 400. The exports take the same query string as the page, so they hold its rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import BuildError
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from qms.core import spreadsheets
from qms.core.db import db
from qms.core.localtime import local_now, local_today
from qms.core.permissions import Permission, permission_required
from qms.core.timefmt import format_moment, zone_label
from qms.core.trail_actions import TrailAction
from qms.documents import master_list as ml
from qms.documents.models import Document, Origin
from qms.documents.queries import list_types
from qms.documents.urls import master_list_bp as bp
from qms.processes.queries import list_processes
from qms.trail import services as trail

FILTER_FIELDS = ("q", "process", "type", "state")
HORIZONS = (0, 30, 60, 90)


class MasterListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Code or title"), validators=[Optional(), Length(max=100)])
    # `process` names a method of the form: the attribute differs, the parameter does not.
    process_code = SelectField(_l("Process"), name="process", validate_choice=False)
    type = SelectField(_l("Type"), validate_choice=False)
    state = SelectField(_l("State"), validate_choice=False)


class ReviewsDueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    # `process` names a method of the form: the attribute differs, the parameter does not.
    process_code = SelectField(_l("Process"), name="process", validate_choice=False)
    within = SelectField(_l("Due"), validate_choice=False)
    mine = BooleanField(_l("Only my documents and processes"))


def _process_choices() -> list[tuple[str, str]]:
    processes = list_processes(db.session, current_user, include_inactive=True)
    return [("", _("All processes")), *((p.code, f"{p.code} – {p.name}") for p in processes)]


def _lenient(field: SelectField) -> str:
    """The chosen value when it is one of the choices, else "" (shown as "all")."""
    value = field.data or ""
    if value not in {key for key, _label in field.choices or []}:
        value = ""
    field.data = value
    return value


def _master_filter() -> tuple[MasterListFilterForm, ml.MasterListFilter, dict[str, str]]:
    form = MasterListFilterForm(formdata=request.args)
    form.process_code.choices = _process_choices()
    types = list_types(db.session, include_inactive=True)
    form.type.choices = [("", _("All types")), *((t.key, t.name) for t in types)]
    form.state.choices = [("", _("All states")), *ml.STATE_LABELS.items()]
    text = (form.q.data or "").strip()[:100]
    sort = request.args.get("sort", "code")
    sort = sort if sort in ml.SORT_KEYS else "code"
    descending = request.args.get("dir") == "desc"
    filters = ml.MasterListFilter(
        process=_lenient(form.process_code),
        type=_lenient(form.type),
        state=_lenient(form.state),
        text=text,
        sort=sort,
        descending=descending,
    )
    args = {"q": text, "process": filters.process, "type": filters.type, "state": filters.state}
    args = {k: v for k, v in args.items() if v}
    if sort != "code" or descending:
        args |= {"sort": sort, "dir": "desc" if descending else "asc"}
    return form, filters, args


def _sort_links(filters: ml.MasterListFilter, args: dict[str, str]) -> dict[str, str]:
    """Per column, the page sorted by it: ascending, or descending when it already is."""
    base: dict[str, Any] = {k: v for k, v in args.items() if k not in {"sort", "dir"}}
    links = {}
    for key in ml.SORT_KEYS:
        descending = filters.sort == key and not filters.descending
        links[key] = url_for(".index", **base, sort=key, dir="desc" if descending else "asc")
    return links


def _document_url(document_id: int) -> str | None:
    """A link to the document's page, once the documents pages exist."""
    try:
        return url_for("documents.show", document_id=document_id)
    except BuildError:
        return None


@bp.app_context_processor
def _verification_helpers() -> dict[str, Any]:
    # The document list flags an external document whose verification is past due too.
    return {"verification_overdue": verification_overdue}


def verification_overdue(document: Document) -> bool:
    """A document of external origin whose check for a newer edition is past due."""
    due = document.next_verification_on
    return document.origin == Origin.EXTERNAL and due is not None and due < local_today()


@bp.get("/")
@permission_required(Permission.DOCUMENT_READ)
def index() -> str:
    form, filters, args = _master_filter()
    rows = ml.build_master_list(db.session, current_user, filters)
    return render_template(
        "documents/master_list.html",
        form=form,
        rows=rows,
        filters=filters,
        filter_args=args,
        sort_links=_sort_links(filters, args),
        columns=ml.COLUMNS,
        document_url=_document_url,
        today=local_today(),
    )


def _export_rows(ext: str) -> list[ml.MasterListRow]:
    """The page's rows for the same query string, and the trail event of taking them away:
    who exported the master list, as what, filtered how, how many rows."""
    _form, filters, args = _master_filter()
    rows = ml.build_master_list(db.session, current_user, filters)
    trail.record(
        db.session,
        TrailAction.MASTER_LIST_EXPORT,
        "master_list",
        "",
        actor=current_user,
        after={"format": ext, "filters": args, "rows": len(rows)},
    )
    return rows


@bp.get("/export.xlsx")
@permission_required(Permission.DOCUMENT_READ)
def export_xlsx() -> ResponseReturnValue:
    rows = _export_rows("xlsx")
    now = local_now()
    return Response(
        xlsx_bytes(rows, now),
        mimetype=spreadsheets.XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{_filename(now, "xlsx")}"'},
    )


@bp.get("/export.csv")
@permission_required(Permission.DOCUMENT_READ)
def export_csv() -> ResponseReturnValue:
    rows = _export_rows("csv")
    header = [str(label) for _key, label in ml.EXPORT_COLUMNS]
    body = spreadsheets.csv_bytes(header, (row.export_cells() for row in rows))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_filename(local_now(), "csv")}"'},
    )


@bp.get("/reviews-due")
@permission_required(Permission.DOCUMENT_READ)
def reviews_due() -> str:
    form = ReviewsDueFilterForm(formdata=request.args)
    form.process_code.choices = _process_choices()
    form.within.choices = [
        (str(n), _("Due or overdue today") if n == 0 else _("Due within %(n)d days", n=n))
        for n in HORIZONS
    ]
    if "within" not in request.args:
        form.within.data = "30"
    within = int(_lenient(form.within) or "0")
    chosen: dict[str, Any] = {
        "within_days": within,
        "process": _lenient(form.process_code),
        "owned_only": bool(form.mine.data),
    }
    return render_template(
        "documents/reviews_due.html",
        form=form,
        due=ml.list_reviews_due(db.session, current_user, **chosen),
        verifications=ml.list_verifications_due(db.session, current_user, **chosen),
        document_url=_document_url,
    )


def _filename(now: datetime, ext: str) -> str:
    return f"master-list-{now:%Y%m%d-%H%M%S}.{ext}"


def xlsx_bytes(rows: list[ml.MasterListRow], now: datetime) -> bytes:
    title = _("Master document list")
    stamp = _(
        "%(title)s — exported %(time)s (%(zone)s)",
        title=title,
        time=format_moment(now),
        zone=zone_label(),
    )
    return spreadsheets.xlsx_bytes(
        sheet_title=_("Master list"),
        stamp=stamp,
        header=[label for _key, label in ml.EXPORT_COLUMNS],
        rows=(row.export_cells() for row in rows),
        book_title=title,
    )
