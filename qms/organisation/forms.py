"""The organisation settings form."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qms.organisation.layout import PAPER_LABELS


def zone_choices() -> list[SelectChoice]:
    """Every IANA zone by region ("America/Bogota"), not the legacy aliases ("US/Eastern")."""
    zones = sorted(
        z
        for z in available_timezones()
        if "/" in z and not z.startswith(("Etc/", "US/", "SystemV/"))
    )
    return [SelectChoice(z, z.replace("_", " ")) for z in zones]


class OrganisationForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=200)])
    nit = StringField(
        _l("NIT"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "placeholder": "900.123.456-8"},
    )
    logo = FileField(_l("Logo"), render_kw={"accept": "image/png,image/jpeg,image/svg+xml"})
    remove_logo = BooleanField(_l("Remove the current logo"))
    paper = SelectField(
        _l("Paper size"),
        choices=[SelectChoice(key, label) for key, label in PAPER_LABELS.items()],
        validate_choice=True,
    )
    timezone = SelectField(_l("Time zone"), choices=[], validate_choice=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = zone_choices()
