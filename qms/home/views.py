"""Dashboard, the landing page after login: my work, then my processes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from qms.core.db import db
from qms.home.gather import work_of
from qms.home.urls import home_bp as bp
from qms.processes.models import Process, process_members


@bp.get("/")
def index() -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(url_for(".dashboard"))


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
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
        work=work_of(db.session, current_user),
    )
