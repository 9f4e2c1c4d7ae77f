"""Dashboard: what the signed-in user holds and where to go next."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from qms.core.db import db
from qms.core.permissions import Permission, can
from qms.processes.models import Process, process_members

bp = Blueprint("home", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(".dashboard"))


@bp.get("/dashboard")
@login_required
def dashboard():  # type: ignore[no-untyped-def]
    member_of = sa.select(process_members.c.process_id).where(
        process_members.c.user_id == current_user.id
    )
    my_processes = db.session.scalars(
        sa.select(Process)
        .where(Process.active.is_(True))
        .where(sa.or_(Process.leader_id == current_user.id, Process.id.in_(member_of)))
        .order_by(Process.code)
    ).all()
    return render_template(
        "home/dashboard.html",
        my_processes=my_processes,
        can_read_trail=can(current_user, Permission.TRAIL_READ),
    )
