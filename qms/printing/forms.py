"""Forms of the printing pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice

from qms.organisation.layout import PAPER_LABELS


class PrintForm(FlaskForm):
    """Which copy and which paper: a GET form (a download changes nothing but the trail)."""

    class Meta:
        csrf = False

    copy = SelectField(_l("Copy"), coerce=int, default=0)
    size = RadioField(
        _l("Page size"),
        choices=[SelectChoice(key, label) for key, label in PAPER_LABELS.items()],
    )
    submit = SubmitField(_l("Download PDF"))
