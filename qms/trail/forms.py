"""The trail viewer's filter form (GET: it changes nothing, so it carries no CSRF token)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from qms.trail.queries import TrailFilter, utc_bounds

FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "date_from", "date_to")


class TrailFilterForm(FlaskForm):
    actor = StringField(_l("User"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("Action"), validators=[Optional()])
    object_type = StringField(_l("Object type"), validators=[Optional(), Length(max=64)])
    object_id = StringField(_l("Object ID"), validators=[Optional(), Length(max=64)])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def __init__(self, formdata: Any, actions: list[str]) -> None:
        super().__init__(formdata=formdata, meta={"csrf": False})
        self.action.choices = [("", _l("All actions")), *((a, a) for a in actions)]

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
