"""Dashboard, the landing page after login: my work, then my processes."""

from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from qms.core.db import db
from qms.core.links import optional_url
from qms.core.permissions import Permission, can
from qms.documents.change_request_forms import KIND_LABELS
from qms.documents.links import document_url
from qms.documents.my_work import my_work
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
        work=my_work(db.session, current_user),
        can_read_trail=can(current_user, Permission.TRAIL_READ),
        may_decide=can(current_user, Permission.CHANGE_REQUEST_DECIDE),
        optional_url=optional_url,
        document_url=document_url,
        kind_labels=KIND_LABELS,
    )
