"""Audit planning pages (ISO 9001 clause 9.2.2): the year's list, the calendar, planning,
editing, rescheduling and cancelling an audit.

The programme, coverage and auditor pages live in `qms.audits.programme_views` and register on
the same blueprint; the audit's own page is `audit_work.show` (`qms.audits.work_views`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from qms.audits import calendar_days, services
from qms.audits import planning_queries as queries
from qms.audits import programme as programmes
from qms.audits.forms import (
    PLAN_ALIASES,
    CancelForm,
    FilterForm,
    PlanForm,
    RescheduleForm,
    plan_data,
    plan_form,
)
from qms.audits.labels import all_labels
from qms.audits.lifecycle import PLANNING_STATES, TRANSITIONS, AuditAction
from qms.audits.models import Audit, AuditState
from qms.audits.nc_origins import AuditOrigin
from qms.audits.urls import audits_bp as bp
from qms.capa.origins import EXTENSION
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, can, permission_required
from qms.core.web import attach_error
from qms.documents import approval

P = Permission
FIRST_YEAR, LAST_YEAR = 2000, 2100


def audit_url(audit_id: int) -> str | None:
    """The audit's own page, when that blueprint is there."""
    try:
        return url_for("audit_work.show", audit_id=audit_id)
    except BuildError:
        return None


@bp.record_once
def _register_nc_origin(state: BlueprintSetupState) -> None:
    # The nonconformity register asks the audits for its "audit" filter and its rows' links.
    state.app.extensions.setdefault(EXTENSION, []).append(AuditOrigin())


def warn_days_off(audit: Audit) -> None:
    """After planning or rescheduling: a warning when the dates fall on a weekend or holiday."""
    warning = calendar_days.warning_for(audit.start_on, audit.end_on)
    if warning:
        flash(warning, "warning")


def after_change(audit: Audit) -> Any:
    return redirect(audit_url(audit.id) or url_for("audits.index", year=audit.year))


def context() -> dict[str, Any]:
    return {
        **all_labels(),
        "audit_url": audit_url,
        "today": approval.today(),
        "may": lambda audit, action: (audit.state, action) in TRANSITIONS,
        "A": AuditAction,
    }


def read_year(raw: str | None) -> int:
    """A year from the query string; anything unusable is this year, never a 400."""
    try:
        year = int(raw or "")
    except ValueError:
        return approval.today().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else approval.today().year


@bp.get("")
@permission_required(P.AUDIT_READ_OWN)
def index() -> str:
    session = db.session
    year = read_year(request.args.get("year"))
    state = request.args.get("state", "")
    state = state if state in set(AuditState) else ""
    filters = FilterForm(year=year, state=state)
    filters.set_years(sorted({*programmes.programme_years(session), approval.today().year, year}))
    rows = services.list_audits(session, current_user, year=year, state=state or None)
    adherence = None
    if can(current_user, P.AUDIT_READ_ALL):
        adherence = programmes.adherence(session, year, approval.today())
    return render_template(
        "audits/index.html",
        filters=filters,
        rows=rows,
        year=year,
        state=state,
        adherence=adherence,
        programme=programmes.get_programme(session, year),
        **context(),
    )


@bp.get("/calendar")
@permission_required(P.AUDIT_READ_OWN)
def calendar() -> str:
    today = approval.today()
    year = read_year(request.args.get("year"))
    month = request.args.get("month", type=int) or (today.month if year == today.year else 1)
    month = month if 1 <= month <= 12 else 1
    audits = services.list_audits(db.session, current_user, year=year)
    first = date(year, month, 1)
    last = date(*queries.shift_month(year, month, 1), 1) - timedelta(days=1)
    weeks = queries.month_grid(audits, year, month)
    days_off = {off.day: off for off in calendar_days.days_off(weeks[0][0].day, weeks[-1][-1].day)}
    prev_year, prev_month = queries.shift_month(year, month, -1)
    next_year, next_month = queries.shift_month(year, month, 1)
    return render_template(
        "audits/calendar.html",
        weeks=weeks,
        year=year,
        month=month,
        title=format_date(first, "LLLL yyyy"),
        day_names=[format_date(day.day, "EEE") for day in weeks[0]],
        prev={"year": prev_year, "month": prev_month}
        if FIRST_YEAR <= prev_year <= LAST_YEAR
        else None,
        next={"year": next_year, "month": next_month}
        if FIRST_YEAR <= next_year <= LAST_YEAR
        else None,
        in_month=[a for a in audits if a.start_on <= last and a.end_on >= first],
        days_off=days_off,
        holidays=[off for off in days_off.values() if off.holiday and off.day.month == month],
        **context(),
    )


def _planning_form(
    editing: bool = False, audit: Audit | None = None, data: dict[str, Any] | None = None
) -> PlanForm:
    session = db.session
    candidates = queries.auditor_candidates(session)
    if audit is not None:  # keep a current team member who has since lost the role
        known = {u.id for u in candidates}
        candidates += [m.user for m in audit.team if m.user_id not in known]
    form = plan_form(
        candidates, queries.affiliations(session, candidates), editing=editing, **(data or {})
    )
    form.set_choices(queries.active_processes(session), candidates, queries.active_users(session))
    form.set_follow_up_choices(
        [a for a in queries.finished_audits(session) if audit is None or a.id != audit.id]
    )
    return form


@bp.route("/new", methods=["GET", "POST"])
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def new() -> ResponseReturnValue:
    year = read_year(request.args.get("year"))
    programme = programmes.get_programme(db.session, year)
    if programme is None:
        flash(_("Write the %(year)d audit programme first.", year=year), "warning")
        return redirect(url_for("audits.programme", year=year))
    follow_up = request.args.get("follow_up_of", "")
    data = {"follow_up_of_id": int(follow_up)} if follow_up.isdigit() else None
    form = _planning_form(data=data if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            audit = services.plan_audit(db.session, current_user, programme.id, form.to_plan())
        except ValidationFailed as error:
            db.session.rollback()  # nothing half-planned stays in the session
            attach_error(form, error, aliases=PLAN_ALIASES)
        else:
            flash(_("Audit %(code)s planned.", code=audit.code), "success")
            warn_days_off(audit)
            return after_change(audit)
    status = 400 if request.method == "POST" else 200
    heading = _("Plan an audit (%(year)d)", year=year)
    return render_template(
        "audits/new.html", form=form, year=year, audit=None, heading=heading, **context()
    ), status


@bp.route("/<int:audit_id>/edit", methods=["GET", "POST"])
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def edit(audit_id: int) -> ResponseReturnValue:
    audit = services.get_audit(db.session, current_user, audit_id)
    if audit.state not in PLANNING_STATES:
        flash(_("The plan cannot change once the audit has started."), "warning")
        return after_change(audit)
    data = plan_data(audit) if request.method == "GET" else None
    form = _planning_form(editing=True, audit=audit, data=data)
    if form.validate_on_submit():
        try:
            services.update_plan(
                db.session, current_user, audit.id, form.to_plan(audit.start_on, audit.end_on)
            )
        except ValidationFailed as error:
            db.session.rollback()
            audit = services.get_audit(db.session, current_user, audit_id)
            attach_error(form, error, aliases=PLAN_ALIASES)
        else:
            flash(_("Plan of %(code)s saved.", code=audit.code), "success")
            warn_days_off(audit)
            return after_change(audit)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "audits/new.html",
        form=form,
        year=audit.year,
        audit=audit,
        heading=_("Edit the plan of %(code)s", code=audit.code),
        **context(),
    ), status


@bp.route("/<int:audit_id>/reschedule", methods=["GET", "POST"])
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def reschedule(audit_id: int) -> ResponseReturnValue:
    audit = services.get_audit(db.session, current_user, audit_id)
    form = RescheduleForm()
    if request.method == "GET":
        form.start_on.data, form.end_on.data = audit.start_on, audit.end_on
    if form.validate_on_submit():
        try:
            services.reschedule_audit(
                db.session,
                current_user,
                audit.id,
                start_on=form.start_on.data,
                end_on=form.end_on.data,
                reason=form.reason.data or "",
            )
        except ValidationFailed as error:
            db.session.rollback()
            audit = services.get_audit(db.session, current_user, audit_id)
            attach_error(form, error)
        else:
            flash(
                _("%(code)s rescheduled; the plan must be notified again.", code=audit.code),
                "success",
            )
            warn_days_off(audit)
            return after_change(audit)
    status = 400 if request.method == "POST" else 200
    return render_template("audits/reschedule.html", form=form, audit=audit, **context()), status


@bp.route("/<int:audit_id>/cancel", methods=["GET", "POST"])
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def cancel(audit_id: int) -> ResponseReturnValue:
    audit = services.get_audit(db.session, current_user, audit_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_audit(db.session, current_user, audit.id, form.reason.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            audit = services.get_audit(db.session, current_user, audit_id)
            attach_error(form, error)
        else:
            flash(_("%(code)s cancelled.", code=audit.code), "success")
            return after_change(audit)
    status = 400 if request.method == "POST" else 200
    return render_template("audits/cancel.html", form=form, audit=audit, **context()), status
