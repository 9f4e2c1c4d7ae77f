"""Pages of the process map: the list by type, the diagram, one process's sheet, create, edit,
(de)activate."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from qms.audits.labels import STATE_LABELS as AUDIT_STATES
from qms.capa.forms import SOURCE_LABELS
from qms.capa.forms import STATE_LABELS as NC_STATES
from qms.capa.pqrs_forms import KIND_LABELS as PQRS_KINDS
from qms.capa.pqrs_forms import STATE_LABELS as PQRS_STATES
from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.localtime import local_today
from qms.core.permissions import Permission, can, permission_required, require
from qms.core.web import attach_error
from qms.processes import services
from qms.processes.forms import TYPE_LABELS, ActivateForm, DeactivateForm, ProcessForm
from qms.processes.map_svg import MapBox, process_map_svg
from qms.processes.models import Process, ProcessType
from qms.processes.queries import TYPE_ORDER, get_process, list_processes, process_map
from qms.processes.sheet import process_sheet
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


# The lanes of the classic diagram, as a Colombian map names them.
LANE_TITLES = {
    ProcessType.STRATEGIC.value: _l("Strategic processes"),
    ProcessType.CORE.value: _l("Core processes"),
    ProcessType.SUPPORT.value: _l("Support processes"),
    ProcessType.EVALUATION.value: _l("Evaluation and improvement processes"),
}


def _map_boxes(processes: list[Process]) -> list[MapBox]:
    """Every listed process, each macro-process followed by its sub-processes."""
    groups, children = process_map(processes)
    boxes: list[MapBox] = []

    def add(process: Process, parent: Process | None) -> None:
        url = url_for(".show", process_id=process.id)
        sub_of = parent.code if parent is not None else ""
        boxes.append(MapBox(process.code, process.name, url, process.type, sub_of))
        for child in children[process.id]:
            add(child, process)

    for roots in groups.values():
        for root in roots:
            add(root, None)
    return boxes


@bp.get("/map")
@permission_required(Permission.PROCESS_READ)
def diagram() -> str:
    processes = list_processes(db.session, current_user)
    svg = process_map_svg(
        _map_boxes(processes),
        {key: str(LANE_TITLES[key]) for key in TYPE_ORDER},
        title=_("Process map"),
        needs=_("Needs and expectations of customers and interested parties"),
        satisfaction=_("Customer satisfaction"),
        empty_lane=_("No processes of this type."),
        sub_label=lambda code: _("sub-process of %(code)s", code=code),
    )
    return render_template("processes/map.html", svg=svg, count=len(processes))


@bp.get("/<int:process_id>")
@permission_required(Permission.PROCESS_READ)
def show(process_id: int) -> str:
    process = get_process(db.session, current_user, process_id)
    return render_template(
        "processes/show.html",
        process=process,
        children=sorted(process.children, key=lambda p: p.code),
        type_labels=TYPE_LABELS,
        sheet=process_sheet(db.session, current_user, process),
        **_sheet_labels(),
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


def _sheet_labels() -> dict[str, Any]:
    """The words of the sheet's lists: each domain's own, so a state reads the same there."""
    return {
        "audit_states": AUDIT_STATES,
        "nc_states": NC_STATES,
        "nc_sources": SOURCE_LABELS,
        "pqrs_states": PQRS_STATES,
        "pqrs_kinds": PQRS_KINDS,
        "today": local_today(),
    }


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
        sheet=process_sheet(db.session, current_user, process),
        **_sheet_labels(),
        may_edit=True,
        may_manage=True,
        **values,
    )
    return html, 400
