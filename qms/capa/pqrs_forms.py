"""Forms of the PQRS pages (labels translated; choices from the model's enums)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

KIND_LABELS = {
    "petition": _l("Petition"),
    "complaint": _l("Complaint"),
    "claim": _l("Claim"),
    "suggestion": _l("Suggestion"),
    "documents": _l("Request for documents or information"),
    "consultation": _l("Consultation"),
}
CHANNEL_LABELS = {
    "in_person": _l("In person"),
    "phone": _l("Phone"),
    "email": _l("Email"),
    "web": _l("Web page"),
    "chat": _l("Chat"),
    "mailbox": _l("Suggestion box"),
    "social": _l("Social media"),
    "official": _l("Official notification"),
}
STATE_LABELS = {
    "received": _l("Received"),
    "routed": _l("Routed"),
    "answered": _l("Answered"),
    "closed": _l("Closed"),
}
SATISFACTION_LABELS = {
    "satisfied": _l("Satisfied"),
    "not_satisfied": _l("Not satisfied"),
    "not_contacted": _l("Not contacted"),
    "not_verified": _l("Not verified"),
}


def _choices(labels: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


class RegisterForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    channel = SelectField(_l("Channel"), choices=_choices(CHANNEL_LABELS))
    customer_name = StringField(_l("Customer"), validators=[DataRequired(), Length(max=200)])
    customer_contact = StringField(_l("Contact (phone or email)"), validators=[Length(max=200)])
    text = TextAreaField(_l("What the customer asks"), validators=[DataRequired()])
    received_on = DateField(_l("Received on"), validators=[InputRequired()])
    submit = SubmitField(_l("Register"))


class RouteForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    process_id = SelectField(_l("Process that answers"), coerce=int, choices=[])
    submit = SubmitField(_l("Route"))


class ExtendForm(FlaskForm):
    notified_on = DateField(_l("Customer notified on"), validators=[InputRequired()])
    extra_days = IntegerField(
        _l("Extra business days"), validators=[InputRequired(), NumberRange(min=1, max=30)]
    )
    reason = TextAreaField(_l("Reasons given to the customer"), validators=[DataRequired()])
    submit = SubmitField(_l("Extend the term"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer given"), validators=[DataRequired()])
    answered_on = DateField(_l("Answered on"), validators=[InputRequired()])
    submit = SubmitField(_l("Record the answer"))


class CloseForm(FlaskForm):
    satisfaction = SelectField(_l("Customer satisfaction"), choices=_choices(SATISFACTION_LABELS))
    submit = SubmitField(_l("Close"))


class RaiseForm(FlaskForm):
    submit = SubmitField(_l("Raise a nonconformity"))
