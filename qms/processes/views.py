"""Pages of the process map: the map by type, one process, create, edit, (de)activate."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, can, permission_required, require
from qms.core.web import attach_error
from qms.processes import services
from qms.processes.forms import TYPE_LABELS, ActivateForm, DeactivateForm, ProcessForm
from qms.processes.models import Process
from qms.processes.queries import get_process, list_processes, process_map
from qms.processes.urls import processes_bp as bp
from qms.users.models import User


def _choices(form: ProcessForm, process: Process | None = None) -> None:
    processes = list_processes(db.session, current_user)
    users = list(db.session.scalars(sa.select(User).where(User.active.is_(True))))
    if process is not None:
        # Keep inactive current members and leader selectable, so an unrelated edit validates.
        kept = [*process.members, *([process.leader] if process.leader else [])]
        users += [u for u in kept if not u.active and u not in users]
    users.sort(key=lambda u: u.full_name.lower())
    form.set_choices(processes, users, exclude_id=process.id if process else None)


@bp.get("/")
@permission_required(Permission.PROCESS_READ)
def index() -> str:
    show_inactive = request.args.get("inactive") == "1"
    processes = list_processes(db.session, current_user, include_inactive=show_inactive)
    groups, children = process_map(processes)
    return render_template(
        "processes/index.html",
        groups=groups,
        children=children,
        type_labels=TYPE_LABELS,
        show_inactive=show_inactive,
    )


@bp.get("/<int:process_id>")
@permission_required(Permission.PROCESS_READ)
def show(process_id: int) -> str:
    process = get_process(db.session, current_user, process_id)
    return render_template(
        "processes/show.html",
        process=process,
        children=sorted(process.children, key=lambda p: p.code),
        type_labels=TYPE_LABELS,
        deactivate_form=DeactivateForm(),
        activate_form=ActivateForm(),
        may_edit=can(current_user, Permission.PROCESS_MANAGE, process),
        may_manage=can(current_user, Permission.PROCESS_MANAGE),
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required(Permission.PROCESS_MANAGE)
def create() -> ResponseReturnValue:
    form = ProcessForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            process = services.create_process(
                db.session,
                current_user,
                code=form.code.data or "",
                name=form.name.data or "",
                type=form.type.data or "",
                objective=form.objective.data or "",
                parent_id=form.parent_id.data,
                leader_id=form.leader_id.data,
                member_ids=form.member_ids.data or [],
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Process %(code)s created.", code=process.code), "success")
            return redirect(url_for(".show", process_id=process.id))
    status = 400 if request.method == "POST" else 200
    return render_template("processes/form.html", form=form, process=None), status


@bp.route("/<int:process_id>/edit", methods=["GET", "POST"])
@permission_required(Permission.PROCESS_MANAGE, own=True)
def edit(process_id: int) -> ResponseReturnValue:
    process = get_process(db.session, current_user, process_id)
    require(current_user, Permission.PROCESS_MANAGE, process)
    form = ProcessForm(obj=process)
    del form.code  # codes never change: documents and records carry them
    if not can(current_user, Permission.PROCESS_MANAGE):
        # The leader edits name, objective and members only.
        del form.type, form.parent_id, form.leader_id
    _choices(form, process)
    if request.method == "GET":
        form.member_ids.data = [u.id for u in process.members]
    if form.validate_on_submit():
        restricted = {
            name: getattr(form, name).data
            for name in ("type", "parent_id", "leader_id")
            if getattr(form, name, None) is not None
        }
        try:
            services.update_process(
                db.session,
                current_user,
                process.id,
                name=form.name.data or "",
                objective=form.objective.data or "",
                member_ids=form.member_ids.data or [],
                **restricted,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Process saved."), "success")
            return redirect(url_for(".show", process_id=process.id))
    status = 400 if request.method == "POST" else 200
    return render_template("processes/form.html", form=form, process=process), status


@bp.post("/<int:process_id>/deactivate")
@permission_required(Permission.PROCESS_MANAGE)
def deactivate(process_id: int) -> ResponseReturnValue:
    process = get_process(db.session, current_user, process_id)
    form = DeactivateForm()
    if form.validate_on_submit():
        try:
            services.set_process_active(
                db.session, current_user, process.id, False, form.reason.data or ""
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Process %(code)s deactivated.", code=process.code), "success")
            return redirect(url_for(".show", process_id=process.id))
    return _show_with_error(process, deactivate_form=form)


@bp.post("/<int:process_id>/activate")
@permission_required(Permission.PROCESS_MANAGE)
def activate(process_id: int) -> ResponseReturnValue:
    process = get_process(db.session, current_user, process_id)
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            services.set_process_active(db.session, current_user, process.id, True)
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Process %(code)s reactivated.", code=process.code), "success")
            return redirect(url_for(".show", process_id=process.id))
    return _show_with_error(process, activate_form=form)


def _show_with_error(process: Process, **forms: FlaskForm) -> tuple[str, int]:
    values = {
        "deactivate_form": DeactivateForm(formdata=None),
        "activate_form": ActivateForm(formdata=None),
        **forms,
    }
    html = render_template(
        "processes/show.html",
        process=process,
        children=sorted(process.children, key=lambda p: p.code),
        type_labels=TYPE_LABELS,
        may_edit=True,
        may_manage=True,
        **values,
    )
    return html, 400
