"""User administration: list, show, create, edit, (de)activate, reset a password."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from qms.core.db import db
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission, can, permission_required
from qms.core.web import attach_error
from qms.processes.queries import processes_of_user
from qms.users import services
from qms.users.admin_forms import (
    ROLE_LABELS,
    ActivateUserForm,
    DeactivateUserForm,
    ResetPasswordForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from qms.users.models import User
from qms.users.urls import users_bp as bp


@bp.get("/")
@permission_required(Permission.USER_READ)
def index() -> str:
    filters = UserFilterForm(formdata=request.args)
    # Filters are read leniently: an unknown value falls back to its default, never a 400.
    role = filters.role.data if filters.role.data in ROLE_LABELS else None
    state = filters.state.data if filters.state.data in {"inactive", "all"} else "active"
    filters.state.data = state
    users = services.list_users(
        db.session,
        current_user,
        active={"active": True, "inactive": False}.get(state),
        role=role,
        search=(filters.q.data or "")[:100],
    )
    return render_template(
        "users/index.html", users=users, filters=filters, role_labels=ROLE_LABELS
    )


@bp.get("/<int:user_id>")
@permission_required(Permission.USER_READ)
def show(user_id: int) -> ResponseReturnValue:
    return _render_show(services.get_user(db.session, user_id))


def _render_show(user: User, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    led, member_of = processes_of_user(db.session, user.id)
    values = {
        "deactivate_form": DeactivateUserForm(formdata=None),
        "activate_form": ActivateUserForm(formdata=None),
        "password_form": ResetPasswordForm(formdata=None),
        **forms,
    }
    html = render_template(
        "users/show.html",
        user=user,
        led=led,
        member_of=member_of,
        role_labels=ROLE_LABELS,
        may_manage=can(current_user, Permission.USER_MANAGE),
        **values,
    )
    return html, status


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def create() -> ResponseReturnValue:
    form = UserCreateForm()
    if request.method == "GET":
        form.locale.data = "es"
    if form.validate_on_submit():
        try:
            user = services.create_user(
                db.session,
                current_user,
                username=form.username.data or "",
                full_name=form.full_name.data or "",
                password=form.password.data or "",
                job_title=form.job_title.data or "",
                email=form.email.data or "",
                locale=form.locale.data or "es",
                roles=form.roles.data or [],
            )
        except (ValidationFailed, Conflict) as error:
            attach_error(form, error)
        else:
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for(".show", user_id=user.id))
    status = 400 if request.method == "POST" else 200
    return render_template("users/form.html", form=form, user=None), status


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.USER_MANAGE)
def edit(user_id: int) -> ResponseReturnValue:
    user = services.get_user(db.session, user_id)
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.roles.data = sorted(user.role_names)
    if form.validate_on_submit():
        try:
            services.update_user(
                db.session,
                current_user,
                user.id,
                full_name=form.full_name.data or "",
                job_title=form.job_title.data or "",
                email=form.email.data or "",
                locale=form.locale.data or "es",
                roles=form.roles.data or [],
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("User saved."), "success")
            return redirect(url_for(".show", user_id=user.id))
    status = 400 if request.method == "POST" else 200
    return render_template("users/form.html", form=form, user=user), status


@bp.post("/<int:user_id>/deactivate")
@permission_required(Permission.USER_MANAGE)
def deactivate(user_id: int) -> ResponseReturnValue:
    user = services.get_user(db.session, user_id)
    form = DeactivateUserForm()
    if form.validate_on_submit():
        try:
            services.set_active(db.session, current_user, user.id, False, form.reason.data or "")
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Account %(username)s deactivated.", username=user.username), "success")
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, 400, deactivate_form=form)


@bp.post("/<int:user_id>/activate")
@permission_required(Permission.USER_MANAGE)
def activate(user_id: int) -> ResponseReturnValue:
    user = services.get_user(db.session, user_id)
    form = ActivateUserForm()
    if form.validate_on_submit():
        services.set_active(db.session, current_user, user.id, True)
        flash(_("Account %(username)s reactivated.", username=user.username), "success")
        return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, 400, activate_form=form)


@bp.post("/<int:user_id>/password")
@permission_required(Permission.USER_MANAGE)
def reset_password(user_id: int) -> ResponseReturnValue:
    user = services.get_user(db.session, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(db.session, current_user, user.id, form.password.data or "")
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(
                _(
                    "Password of %(username)s set; their sessions were ended.",
                    username=user.username,
                ),
                "success",
            )
            return redirect(url_for(".show", user_id=user.id))
    return _render_show(user, 400, password_form=form)
