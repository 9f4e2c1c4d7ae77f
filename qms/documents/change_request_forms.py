"""Forms of the change-request pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qms.core.forms import label_choices as _choices
from qms.core.forms import optional_int
from qms.documents.models import ChangeRequestKind, ChangeRequestState

KIND_LABELS = {
    ChangeRequestKind.CREATE.value: _l("Create a document"),
    ChangeRequestKind.MODIFY.value: _l("Modify the document"),
    ChangeRequestKind.WITHDRAW.value: _l("Withdraw the document"),
}
STATE_LABELS = {
    ChangeRequestState.OPEN.value: _l("Open"),
    ChangeRequestState.ACCEPTED.value: _l("Accepted"),
    ChangeRequestState.REJECTED.value: _lp("change request", "Rejected"),
}


class DocumentChangeRequestForm(FlaskForm):
    """Modify or withdraw a document in force."""

    kind = RadioField(
        _l("Request"),
        choices=_choices(
            {k: v for k, v in KIND_LABELS.items() if k != ChangeRequestKind.CREATE.value}
        ),
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("File the request"))


class NewDocumentRequestForm(FlaskForm):
    """Ask for a new document: what it should be and why."""

    proposed_title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    proposed_type_id = SelectField(_l("Document type"), coerce=optional_int)
    proposed_process_id = SelectField(_l("Process"), coerce=optional_int)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("File the request"))

    def set_choices(self, types: list[Any], processes: list[Any]) -> None:
        none = SelectChoice("", _l("— choose —"))
        self.proposed_type_id.choices = [none] + [SelectChoice(t.id, t.name) for t in types]
        self.proposed_process_id.choices = [none] + [
            SelectChoice(p.id, f"{p.code} · {p.name}") for p in processes
        ]


class AcceptForm(FlaskForm):
    reason = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Accept"))


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for rejecting"), validators=[DataRequired(), Length(max=5000)]
    )
    submit = SubmitField(_l("Reject"))


class FilterForm(FlaskForm):
    """The list's filters; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    state = SelectField(
        _l("State"), choices=_choices({**STATE_LABELS, "all": _l("All")}), default="open"
    )
    kind = SelectField(_l("Kind"), choices=_choices({"": _l("Any kind"), **KIND_LABELS}))
