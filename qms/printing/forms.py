"""Forms of the printing pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice


class PrintForm(FlaskForm):
    """Which copy and which paper: a GET form (a download changes nothing but the trail)."""

    class Meta:
        csrf = False

    copy = SelectField(_l("Copy"), coerce=int, default=0)
    size = RadioField(
        _l("Page size"),
        choices=[SelectChoice("A4", "A4"), SelectChoice("Letter", _l("Letter"))],
        default="A4",
    )
    submit = SubmitField(_l("Download PDF"))
