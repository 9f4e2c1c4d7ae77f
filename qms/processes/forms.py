"""Forms for the process map."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qms.core.forms import optional_int
from qms.processes.models import Process, ProcessType
from qms.users.models import User

# Shown in Spanish as Estratégico / Misional / De apoyo / De evaluación.
TYPE_LABELS = {
    ProcessType.STRATEGIC.value: _l("Strategic"),
    ProcessType.CORE.value: _l("Core"),
    ProcessType.SUPPORT.value: _l("Support"),
    ProcessType.EVALUATION.value: _l("Evaluation"),
}


class ProcessForm(FlaskForm):
    """Every field; the views remove the ones the user may not change."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=20)],
        description=_l("Uppercase letters, digits, '.' or '-'; it cannot change later."),
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    type = SelectField(_l("Type"), choices=[SelectChoice(k, v) for k, v in TYPE_LABELS.items()])
    parent_id = SelectField(_l("Macro-process"), coerce=optional_int, validate_choice=True)
    leader_id = SelectField(_l("Leader"), coerce=optional_int, validate_choice=True)
    objective = TextAreaField(_l("Objective"), validators=[Optional(), Length(max=5000)])
    member_ids = SelectMultipleField(_l("Members"), coerce=int)
    submit = SubmitField(_l("Save"))

    def set_choices(
        self, processes: list[Process], users: list[User], exclude_id: int | None = None
    ) -> None:
        """Fill the selects: active processes other than this one, active users."""
        none = SelectChoice("", _l("— none —"))
        if self.parent_id is not None:
            self.parent_id.choices = [none] + [
                SelectChoice(p.id, f"{p.code} · {p.name}") for p in processes if p.id != exclude_id
            ]
        if self.leader_id is not None:
            self.leader_id.choices = [none] + [SelectChoice(u.id, _user_label(u)) for u in users]
        self.member_ids.choices = [SelectChoice(u.id, _user_label(u)) for u in users]


def _user_label(user: User) -> str:
    return f"{user.full_name} ({user.username})"


class DeactivateForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("Deactivate"))


class ActivateForm(FlaskForm):
    submit = SubmitField(_l("Reactivate"))
