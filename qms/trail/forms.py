"""The trail viewer's filter form (GET: it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from qms.trail.queries import TrailFilter, utc_bounds
from qms.trail.words import OBJECT_LABELS, action_label, object_label

FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "date_from", "date_to")


class TrailFilterForm(FlaskForm):
    actor = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), validators=[Optional()])
    object_type = SelectField(_l("Object type"), validators=[Optional(), Length(max=64)])
    object_id = StringField(_l("Object ID"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def __init__(self, formdata: Any, actions: list[str]) -> None:
        super().__init__(formdata=formdata, meta={"csrf": False})
        labelled = sorted(((a, action_label(a)) for a in actions), key=lambda c: c[1].casefold())
        self.action.choices = [("", _l("All actions")), *labelled]
        kinds = sorted(((k, object_label(k)) for k in OBJECT_LABELS), key=lambda c: c[1].casefold())
        asked = self.object_type.data or ""
        if asked and asked not in OBJECT_LABELS:  # a kind without a label still filters
            kinds.append((asked, asked))
        self.object_type.choices = [("", _l("All kinds")), *kinds]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def to_filter(self, timezone: str) -> TrailFilter:
        """The filter these fields describe, with the days turned into UTC instants."""
        since, until = utc_bounds(self.date_from.data, self.date_to.data, timezone)
        return TrailFilter(
            actor_name=self.actor.data or "",
            action=self.action.data or "",
            object_type=self.object_type.data or "",
            object_id=self.object_id.data or "",
            since=since,
            until=until,
        )
