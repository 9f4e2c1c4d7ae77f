"""The bell: one's notifications, marking them read, and the daily-digest choice."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField

from qms.core.db import db
from qms.core.permissions import Permission, permission_required
from qms.home.gather import pending_count, work_of
from qms.notifications import services
from qms.notifications.models import NotificationSetting
from qms.notifications.urls import notifications_bp as bp


class ReadForm(FlaskForm):
    submit = SubmitField(_l("Mark as read"))


class DigestForm(FlaskForm):
    daily_digest = BooleanField(_l("Send me one daily digest instead of one mail per reminder"))
    submit = SubmitField(_l("Save"))


def _page(digest: DigestForm, status: int = 200) -> ResponseReturnValue:
    notes = services.list_notifications(db.session, current_user)
    return render_template(
        "notifications/index.html",
        notes=notes,
        work=work_of(db.session, current_user),
        read_form=ReadForm(),
        digest_form=digest,
    ), status


@bp.get("")
@permission_required(Permission.PROFILE_EDIT)
def index() -> ResponseReturnValue:
    setting = db.session.get(NotificationSetting, current_user.id)
    digest = DigestForm(daily_digest=bool(setting and setting.daily_digest))
    return _page(digest)


@bp.post("/<int:notification_id>/read")
@permission_required(Permission.PROFILE_EDIT)
def read(notification_id: int) -> ResponseReturnValue:
    if not ReadForm().validate_on_submit():
        return _page(DigestForm(), 400)
    note = services.mark_read(db.session, current_user, notification_id)
    local = note.url.startswith("/") and not note.url.startswith("//")
    return redirect(note.url if local else url_for(".index"))


@bp.post("/settings")
@permission_required(Permission.PROFILE_EDIT)
def settings() -> ResponseReturnValue:
    form = DigestForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    services.set_daily_digest(db.session, current_user, bool(form.daily_digest.data))
    flash(_("Your choice was saved."), "success")
    return redirect(url_for(".index"))


def bell() -> dict[str, Callable[[], int]]:
    """For every template: the unread count and the pending work's (the same gatherer as the
    home's "Mi trabajo"), counted only when a page shows them."""

    def unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(db.session, current_user)

    def pending() -> int:
        if not current_user.is_authenticated:
            return 0
        return pending_count(db.session, current_user)

    return {"unread_notifications": unread, "pending_work": pending}
