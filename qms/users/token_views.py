"""The signed-in user's own API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.users import tokens
from qms.users.models import ApiToken
from qms.users.urls import tokens_bp as bp


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=tokens.MAX_NAME_LENGTH)],
        description=_l("Say where it will be used, e.g. “nightly report script”."),
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    """Carries only the CSRF token."""


def _page(form: TokenForm, new_token: str | None = None, created: ApiToken | None = None) -> str:
    return render_template(
        "auth/tokens.html",
        form=form,
        tokens=tokens.list_tokens(db.session, current_user),
        new_token=new_token,
        created=created,
    )


@bp.get("/")
@permission_required(Permission.TOKEN_MANAGE)
def index() -> ResponseReturnValue:
    return _page(TokenForm())


@bp.post("/")
@permission_required(Permission.TOKEN_MANAGE)
def create() -> ResponseReturnValue:
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, plain = tokens.create_token(db.session, current_user, form.name.data or "")
        except ValidationFailed as error:
            form.name.errors = [*form.name.errors, error.message]
        else:
            # Rendered into this response only: a redirect would have to park the secret in
            # the session cookie, and the token must never be shown or stored again.
            return _page(TokenForm(formdata=None), new_token=plain, created=token)
    return _page(form), 400


@bp.post("/<int:token_id>/revoke")
@permission_required(Permission.TOKEN_MANAGE)
def revoke(token_id: int) -> ResponseReturnValue:
    if not RevokeForm().validate_on_submit():
        return _page(TokenForm()), 400
    token = tokens.revoke_token(db.session, current_user, token_id)
    flash(_("Token “%(name)s” revoked.", name=token.name), "success")
    return redirect(url_for(".index"))
