"""Saving the search on the page, and removing a saved one (forms with CSRF; POST only)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from qms.core.db import db
from qms.core.errors import Conflict, ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.search import saved
from qms.search.urls import search_bp as bp


class SaveSearchForm(FlaskForm):
    name = StringField(
        _l("Save this search as"),
        validators=[DataRequired(), Length(max=saved.MAX_NAME)],
        render_kw={"autocomplete": "off", "maxlength": saved.MAX_NAME},
    )
    q = HiddenField()
    any = BooleanField()
    history = BooleanField()
    on = HiddenField()
    sort = HiddenField()


class RemoveSavedSearchForm(FlaskForm):
    """Carries only the CSRF token."""


def day_asked(value: str | None) -> date | None:
    """The `on` day a search asks for (YYYY-MM-DD), None when none; the page and the saved
    search read it alike."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed(_("Give the date as YYYY-MM-DD."), field="on") from None


def _back(form: SaveSearchForm) -> ResponseReturnValue:
    return redirect(
        url_for(
            "search.index",
            q=form.q.data or None,
            any="1" if form.any.data else None,
            history="1" if form.history.data else None,
            on=form.on.data or None,
            sort=form.sort.data if form.sort.data not in ("", "relevance") else None,
        )
    )


@bp.post("/saved")
@permission_required(Permission.DOCUMENT_READ)
def save() -> ResponseReturnValue:
    form = SaveSearchForm()
    if not form.validate_on_submit():
        flash(_("Give the search a name."), "error")
        return _back(form)
    try:
        found = saved.save_search(
            db.session,
            current_user,
            name=form.name.data or "",
            query=form.q.data or "",
            any_word=bool(form.any.data),
            history=bool(form.history.data),
            on_day=day_asked(form.on.data),
            sort=form.sort.data or "relevance",
        )
    except (ValidationFailed, Conflict) as error:
        flash(error.message, "error")
        return _back(form)
    flash(_("Search saved as “%(name)s”.", name=found.name), "success")
    return _back(form)


@bp.post("/saved/<int:saved_id>/remove")
@permission_required(Permission.DOCUMENT_READ)
def remove(saved_id: int) -> ResponseReturnValue:
    if not RemoveSavedSearchForm().validate_on_submit():
        flash(
            _("The form expired or was not sent from this site. Reload the page and try again."),
            "error",
        )
        return redirect(url_for("search.index"))
    found = saved.remove_saved_search(db.session, current_user, saved_id)
    flash(_("Saved search “%(name)s” removed.", name=found.name), "success")
    return redirect(url_for("search.index"))
