"""The forms of a Word import: the file, then the preview's corrections before saving."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class UploadForm(FlaskForm):
    file = FileField(_l("Word file (.docx)"), validators=[FileRequired()])
    submit = SubmitField(_l("Preview"))


class HistoryRowForm(FlaskForm):
    class Meta:
        csrf = False  # part of the preview form, which carries the token

    number = IntegerField(_l("Version"), validators=[Optional(), NumberRange(1, 999)])
    on = DateField(_l("Date"), validators=[Optional()])
    description = StringField(_l("Change description"), validators=[Length(max=2000)])
    who = StringField(_l("Who"), validators=[Length(max=200)])


class PreviewForm(FlaskForm):
    """What was read, correctable; the file rides along (base64) and is read again on save."""

    file_data = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[Length(max=255)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    number = IntegerField(_l("Version"), validators=[DataRequired(), NumberRange(1, 999)])
    effective_from = DateField(_l("Effective from"), validators=[DataRequired()])
    process_id = SelectField(_l("Process"), coerce=int)
    type_id = SelectField(_l("Document type"), coerce=int)
    history = FieldList(FormField(HistoryRowForm), max_entries=200)
    save = SubmitField(_l("Import"))
    # A document with the file's code is already here: the file becomes its next draft.
    as_draft = SubmitField(_l("Import as a new draft of the existing document"))
