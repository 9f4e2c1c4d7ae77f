"""The year's audit programme (clause 9.2.2 a), its coverage of processes and clauses, and the
auditors' qualifications. Routes on the `audits` blueprint (`qms.audits.urls`)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from qms.audits import planning_queries as queries
from qms.audits import programme as programmes
from qms.audits import services
from qms.audits.forms import AuditorProfileForm, ProgrammeForm
from qms.audits.urls import audits_bp as bp
from qms.audits.views import FIRST_YEAR, LAST_YEAR, context
from qms.core.db import db
from qms.core.errors import NotFound, ValidationFailed
from qms.core.forms import unique_ids
from qms.core.permissions import Permission, can, permission_required
from qms.core.web import attach_error
from qms.documents import iso9001

P = Permission


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(_("The page you asked for does not exist."))


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "es"


def _programme_page(
    year: int, form: ProgrammeForm | None = None, status: int = 200
) -> ResponseReturnValue:
    session = db.session
    found = programmes.get_programme(session, year)
    if form is None and can(current_user, P.AUDIT_PROGRAMME_MANAGE):
        form = ProgrammeForm(formdata=None, obj=found)
    years = sorted({*programmes.programme_years(session), year})
    return render_template(
        "audits/programme.html",
        year=year,
        programme=found,
        form=form,
        years=years,
        audits=services.list_audits(session, current_user, year=year),
        **context(),
    ), status


@bp.get("/programme/<int:year>")
@permission_required(P.AUDIT_READ_ALL)
def programme(year: int) -> ResponseReturnValue:
    _check_year(year)
    return _programme_page(year)


@bp.post("/programme/<int:year>")
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def save_programme(year: int) -> ResponseReturnValue:
    _check_year(year)
    form = ProgrammeForm()
    if form.validate_on_submit():
        existed = programmes.get_programme(db.session, year) is not None
        try:
            programmes.save_programme(db.session, current_user, year, **form.values())
        except ValidationFailed as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            message = _("Programme saved.") if existed else _("Programme created.")
            flash(message, "success")
            return redirect(url_for("audits.programme", year=year))
    return _programme_page(year, form, 400)


@bp.get("/programme/<int:year>/coverage")
@permission_required(P.AUDIT_READ_ALL)
def coverage(year: int) -> str:
    _check_year(year)
    found = programmes.coverage(db.session, current_user, year)
    language = _language()
    return render_template(
        "audits/coverage.html",
        year=year,
        coverage=found,
        clause_titles={c: iso9001.title_of(c, language) or c for c in found.clauses},
        **context(),
    )


def _auditors_page(status: int = 200, failed: dict[int, Any] | None = None) -> ResponseReturnValue:
    rows = queries.auditor_rows(db.session)
    forms = {}
    if can(current_user, P.AUDIT_PROGRAMME_MANAGE):
        for row in rows:
            if failed and row.user.id in failed:
                forms[row.user.id] = failed[row.user.id]
                continue
            profile = row.profile
            fresh = AuditorProfileForm(
                formdata=None,
                training=profile.training if profile else "",
                qualified_on=profile.qualified_on if profile else None,
                notes=profile.notes if profile else "",
            )
            forms[row.user.id] = unique_ids(fresh, str(row.user.id))
    return render_template("audits/auditors.html", rows=rows, forms=forms, **context()), status


@bp.get("/auditors")
@permission_required(P.AUDIT_READ_ALL)
def auditors() -> ResponseReturnValue:
    return _auditors_page()


@bp.post("/auditors/<int:user_id>")
@permission_required(P.AUDIT_PROGRAMME_MANAGE)
def save_auditor(user_id: int) -> ResponseReturnValue:
    if user_id not in {u.id for u in queries.auditor_candidates(db.session)}:
        raise NotFound(_("Only auditors and quality leads have an auditor profile."))
    form = AuditorProfileForm()
    if form.validate_on_submit():
        try:
            programmes.save_auditor_profile(
                db.session,
                current_user,
                user_id,
                training=form.training.data or "",
                qualified_on=form.qualified_on.data,
                notes=form.notes.data or "",
            )
        except ValidationFailed as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            flash(_("Auditor profile saved."), "success")
            return redirect(url_for("audits.auditors") + f"#auditor-{user_id}")
    return _auditors_page(400, {user_id: unique_ids(form, str(user_id))})
