"""PQRS pages: the register with terms, registering, routing, extending, answering, closing,
and raising a nonconformity from a complaint or claim."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from qms.capa import pqrs, pqrs_register
from qms.capa.pqrs_forms import (
    CHANNEL_LABELS,
    KIND_LABELS,
    SATISFACTION_LABELS,
    STATE_LABELS,
    AnswerForm,
    CloseForm,
    ExtendForm,
    RaiseForm,
    RegisterForm,
    RouteForm,
)
from qms.capa.terms import days_left
from qms.capa.urls import pqrs_bp as bp
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.localtime import local_now
from qms.core.permissions import Permission, can, permission_required
from qms.core.spreadsheets import XLSX_TYPE
from qms.core.timefmt import format_day
from qms.core.trail_actions import TrailAction
from qms.core.web import attach_error
from qms.documents import approval
from qms.processes.models import Process
from qms.trail import services as trail

P = Permission


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": KIND_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "state_labels": STATE_LABELS,
        "satisfaction_labels": SATISFACTION_LABELS,
        "days_left": days_left,
        "today": approval.today(),
    }


def _nc_url(nc_id: int) -> str | None:
    try:
        return url_for("capa.show", nc_id=nc_id)
    except BuildError:
        return None


@bp.get("")
@permission_required(P.PQRS_REGISTER)
def index() -> str:
    found = pqrs_register.read_filter(request.args)
    today = approval.today()
    years = sorted({*pqrs.pqrs_years(db.session, current_user), today.year}, reverse=True)
    return render_template(
        "pqrs/index.html",
        rows=pqrs_register.rows(db.session, current_user, found, today),
        filters=found,
        filter_args=found.args(),
        years=years,
        state=found.state,
        **_labels(),
    )


def _export(ext: str, mimetype: str, body: Any) -> Response:
    found = pqrs_register.read_filter(request.args)
    rows = pqrs_register.rows(db.session, current_user, found, approval.today())
    now = local_now()
    # Who took a copy of the register, and of which rows, is itself worth keeping.
    trail.record(
        db.session,
        TrailAction.PQRS_EXPORT,
        "pqrs",
        "",
        actor=current_user,
        after={"format": ext, "filters": found.args(), "rows": len(rows)},
    )
    name = f"pqrs-{now:%Y%m%d-%H%M%S}.{ext}"
    return Response(
        body(rows, now),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/export.csv")
@permission_required(P.PQRS_REGISTER)
def export_csv() -> Response:
    return _export("csv", "text/csv", lambda rows, _now: pqrs_register.csv_bytes(rows))


@bp.get("/export.xlsx")
@permission_required(P.PQRS_REGISTER)
def export_xlsx() -> Response:
    return _export("xlsx", XLSX_TYPE, pqrs_register.xlsx_bytes)


@bp.route("/new", methods=["GET", "POST"])
@permission_required(P.PQRS_REGISTER)
def new() -> ResponseReturnValue:
    form = RegisterForm()
    if request.method == "GET":
        form.received_on.data = approval.today()
    if form.validate_on_submit():
        try:
            found = pqrs.register_pqrs(
                db.session,
                current_user,
                kind=form.kind.data or "",
                channel=form.channel.data or "",
                customer_name=form.customer_name.data or "",
                customer_contact=form.customer_contact.data or "",
                text=form.text.data or "",
                received_on=form.received_on.data,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(
                _(
                    "%(code)s registered; answer due on %(day)s.",
                    code=found.code,
                    day=format_day(found.due_on),
                ),
                "success",
            )
            return redirect(url_for(".show", request_id=found.id))
    status = 400 if request.method == "POST" else 200
    return render_template("pqrs/new.html", form=form), status


def _forms(found: Any) -> dict[str, Any]:
    route = RouteForm(prefix="route", kind=found.kind, process_id=found.process_id)
    processes = db.session.scalars(
        sa.select(Process).where(Process.active.is_(True)).order_by(Process.code)
    )
    route.process_id.choices = [SelectChoice(p.id, f"{p.code} · {p.name}") for p in processes]
    return {
        "route_form": route,
        "extend_form": ExtendForm(prefix="extend"),
        "answer_form": AnswerForm(prefix="answer", answered_on=approval.today()),
        "close_form": CloseForm(prefix="close"),
        "raise_form": RaiseForm(prefix="raise"),
    }


def _show(request_id: int, status: int = 200, **override: Any) -> ResponseReturnValue:
    found = pqrs.get_pqrs(db.session, current_user, request_id)
    forms = _forms(found) | override
    closed_by = pqrs.closers(db.session, [found.id]).get(found.id, "") if found.closed_at else ""
    return render_template(
        "pqrs/show.html",
        found=found,
        nc_url=_nc_url,
        closed_by=closed_by,
        corrective_url=_corrective_url(found),
        **forms,
        **_labels(),
    ), status


def _corrective_url(found: Any) -> str | None:
    """Where to report the nonconformity of an answer given outside the legal term: the report
    form, filled in from the request and tied back to it; None when that does not apply."""
    late_answer = found.answered_on is not None and found.answered_on > found.term_due_on
    if not late_answer or found.nonconformity_id is not None:
        return None
    if not (can(current_user, P.PQRS_MANAGE) and can(current_user, P.NONCONFORMITY_REPORT)):
        return None
    try:
        return url_for("capa.new", pqrs=found.id)
    except BuildError:
        return None


@bp.get("/<int:request_id>")
@permission_required(P.PQRS_REGISTER)
def show(request_id: int) -> ResponseReturnValue:
    return _show(request_id)


def _act(request_id: int, form: Any, name: str, action: Any, message: str) -> ResponseReturnValue:
    if form.validate_on_submit():
        try:
            action()
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(message, "success")
            return redirect(url_for(".show", request_id=request_id))
    return _show(request_id, 400, **{name: form})


@bp.post("/<int:request_id>/route")
@permission_required(P.PQRS_MANAGE)
def route(request_id: int) -> ResponseReturnValue:
    form = _forms(pqrs.get_pqrs(db.session, current_user, request_id))["route_form"]
    form.process(request.form)
    return _act(
        request_id,
        form,
        "route_form",
        lambda: pqrs.route_pqrs(
            db.session,
            current_user,
            request_id,
            process_id=form.process_id.data,
            kind=form.kind.data,
        ),
        _("Request routed."),
    )


@bp.post("/<int:request_id>/extend")
@permission_required(P.PQRS_MANAGE)
def extend(request_id: int) -> ResponseReturnValue:
    form = ExtendForm(prefix="extend")
    return _act(
        request_id,
        form,
        "extend_form",
        lambda: pqrs.extend_pqrs(
            db.session,
            current_user,
            request_id,
            notified_on=form.notified_on.data,
            extra_days=form.extra_days.data or 0,
            reason=form.reason.data or "",
        ),
        _("Term extended."),
    )


@bp.post("/<int:request_id>/answer")
@permission_required(P.PQRS_ANSWER, own=True)
def answer(request_id: int) -> ResponseReturnValue:
    form = AnswerForm(prefix="answer")
    return _act(
        request_id,
        form,
        "answer_form",
        lambda: pqrs.answer_pqrs(
            db.session,
            current_user,
            request_id,
            answer=form.answer.data or "",
            answered_on=form.answered_on.data,
        ),
        _("Answer recorded."),
    )


@bp.post("/<int:request_id>/close")
@permission_required(P.PQRS_MANAGE)
def close(request_id: int) -> ResponseReturnValue:
    form = CloseForm(prefix="close")
    return _act(
        request_id,
        form,
        "close_form",
        lambda: pqrs.close_pqrs(
            db.session, current_user, request_id, satisfaction=form.satisfaction.data or ""
        ),
        _("Request closed."),
    )


@bp.post("/<int:request_id>/nonconformity")
@permission_required(P.PQRS_MANAGE)
def raise_nc(request_id: int) -> ResponseReturnValue:
    form = RaiseForm(prefix="raise")
    if not form.validate_on_submit():
        return _show(request_id, 400, raise_form=form)
    try:
        nc = pqrs.raise_nonconformity(db.session, current_user, request_id)
    except ValidationFailed as error:
        attach_error(form, error)
        return _show(request_id, 400, raise_form=form)
    flash(_("Nonconformity %(code)s raised.", code=nc.code), "success")
    return redirect(_nc_url(nc.id) or url_for(".show", request_id=request_id))
