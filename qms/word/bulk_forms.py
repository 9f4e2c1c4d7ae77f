"""The bulk import form: Word files or .zip archives of them, and an optional master list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import SubmitField, ValidationError


class BulkForm(FlaskForm):
    files = MultipleFileField(
        _l("Word files (.docx) or .zip archives of them"), render_kw={"accept": ".docx,.zip"}
    )
    master_list = FileField(_l("Master list (optional)"), render_kw={"accept": ".xlsx,.csv"})
    submit = SubmitField(_l("Import all"))

    def validate_files(self, field: MultipleFileField) -> None:
        # A multiple input sent empty still posts one part, without a file name.
        if not any(getattr(upload, "filename", "") for upload in field.data or []):
            raise ValidationError(str(_l("Choose at least one file.")))
