"""The private calendar feed: a page to create or revoke it, and the public .ics behind its token.

The subscribe URL is shown once, in the response that created it (a redirect would have to park
the secret in the session); only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from qms.audits import calendar
from qms.audits.urls import calendar_feeds_bp as bp
from qms.core.db import db
from qms.core.permissions import Permission, permission_required

P = Permission


class FeedForm(FlaskForm):
    """Carries only the CSRF token."""


def _page(feed_url: str | None = None, status: int = 200) -> tuple[str, int]:
    html = render_template(
        "audits/feeds.html",
        form=FeedForm(),
        feed=calendar.active_feed(db.session, current_user.id),
        feed_url=feed_url,
    )
    return html, status


@bp.get("")
@permission_required(P.CALENDAR_FEED_MANAGE)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/feed")
@permission_required(P.CALENDAR_FEED_MANAGE)
def create() -> ResponseReturnValue:
    if not FeedForm().validate_on_submit():
        return _page(status=400)
    _feed, token = calendar.create_feed(db.session, current_user)
    base = current_app.extensions["qms_settings"].base_url.rstrip("/")
    return _page(feed_url=base + calendar.feed_path(token))


@bp.post("/feed/revoke")
@permission_required(P.CALENDAR_FEED_MANAGE)
def revoke() -> ResponseReturnValue:
    if not FeedForm().validate_on_submit():
        return _page(status=400)
    if calendar.revoke_feed(db.session, current_user) is not None:
        flash(_("Calendar feed revoked: its address no longer works."), "success")
    return redirect(url_for(".index"))


@bp.get("/<token>.ics")
def feed(token: str) -> Response:
    """Public: calendar apps fetch it without a session; the token is the credential."""
    data = calendar.feed_ics(db.session, token)
    response = Response(data, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = 'inline; filename="qms.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
