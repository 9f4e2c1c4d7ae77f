"""PQRS pages: the register with terms, registering, routing, extending, answering, closing,
and raising a nonconformity from a complaint or claim."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from qms.capa import pqrs
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
from qms.core.permissions import Permission, permission_required
from qms.core.timefmt import format_day
from qms.core.web import attach_error
from qms.documents import approval
from qms.processes.models import Process

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
    state = request.args.get("state", "")
    rows = pqrs.list_pqrs(db.session, current_user, state=state if state in STATE_LABELS else None)
    return render_template("pqrs/index.html", rows=rows, state=state, **_labels())


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
    return render_template(
        "pqrs/show.html", found=found, nc_url=_nc_url, **forms, **_labels()
    ), status


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
