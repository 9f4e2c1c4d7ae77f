"""Forms of the user administration pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qms.core.i18n import LANGUAGES
from qms.core.permissions import Role

ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.QUALITY_LEAD.value: _l("Quality lead"),
    Role.APPROVER.value: _l("Approver (top management)"),
    Role.PROCESS_OWNER.value: _l("Process owner"),
    Role.AUDITOR.value: _l("Auditor"),
    Role.STAFF.value: _l("Staff"),
}


def _choices(pairs: dict) -> list[SelectChoice]:
    # WTForms 3.3 deprecates (value, label) tuples; warnings are errors in the tests.
    return [SelectChoice(value, label) for value, label in pairs.items()]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes, each with its own label."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserEditForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    locale = SelectField(_l("Language"), choices=_choices(LANGUAGES))
    roles = MultiCheckboxField(_l("Roles"), choices=_choices(ROLE_LABELS))
    submit = SubmitField(_l("Save"))


class UserCreateForm(UserEditForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "off"},
    )
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Create user"))


class UserFilterForm(FlaskForm):
    """The list's filters; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), choices=_choices({"": _l("Any role"), **ROLE_LABELS}))
    state = SelectField(
        _l("State"),
        choices=_choices({"active": _l("Active"), "inactive": _l("Inactive"), "all": _l("All")}),
        default="active",
    )


class DeactivateUserForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Deactivate account"))


class ActivateUserForm(FlaskForm):
    submit = SubmitField(_l("Reactivate account"))


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Set password and end sessions"))
