"""Sign in, sign out, and the signed-in user's own profile and password."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import TooManyAttempts, ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.core.web import attach_error, commit_despite_error, keep_if_recorded
from qms.users import auth, services
from qms.users.forms import LoginForm, LogoutForm, PasswordChangeForm, ProfileForm
from qms.users.urls import auth_bp as bp


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("home.index"))
    if form.validate_on_submit():
        settings = current_app.extensions["qms_settings"]
        try:
            user = auth.authenticate(
                db.session,
                form.username.data or "",
                form.password.data or "",
                max_failures=settings.login_max_failures,
                window=timedelta(minutes=settings.login_window_minutes),
            )
        except (auth.InvalidCredentials, TooManyAttempts) as error:
            keep_if_recorded(error)  # the failed attempt counts towards the lockout
            status = 429 if isinstance(error, TooManyAttempts) else 401
            return render_template("auth/login.html", form=form, error=error.message), status
        auth.open_session(db.session, user)
        target = form.next.data
        return redirect(target if auth.is_safe_next(target) else url_for("home.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("home.index"))
    auth.close_session(db.session, current_user if current_user.is_authenticated else None)
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@permission_required(Permission.PROFILE_EDIT)
def profile() -> ResponseReturnValue:
    form = ProfileForm(obj=current_user)
    password_form = PasswordChangeForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.update_own_profile(
                db.session,
                current_user,
                full_name=form.full_name.data or "",
                job_title=form.job_title.data or "",
                email=form.email.data or "",
                locale=form.locale.data or "es",
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Profile saved."), "success")
            return redirect(url_for(".profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/profile.html", form=form, password_form=password_form), status


@bp.post("/profile/password")
@permission_required(Permission.PROFILE_EDIT)
def change_password() -> ResponseReturnValue:
    form = ProfileForm(obj=current_user)
    password_form = PasswordChangeForm(prefix="pw")
    if password_form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                current_user,
                password_form.current_password.data or "",
                password_form.new_password.data or "",
                current_session=auth.current_session_record(db.session),
            )
        except ValidationFailed as error:
            if error.field == "current_password":
                commit_despite_error()  # a wrong current password counts towards the lockout
            attach_error(password_form, error, aliases={"password": "new_password"})
        else:
            flash(_("Password changed. Your other sessions were closed."), "success")
            return redirect(url_for(".profile"))
    return render_template("auth/profile.html", form=form, password_form=password_form), 400
