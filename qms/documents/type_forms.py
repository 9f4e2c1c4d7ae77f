"""Forms of the document type pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from qms.core.permissions import Role
from qms.documents.block_kinds import KINDS
from qms.documents.blocks import BLOCK_KINDS
from qms.documents.types import STAGES
from qms.organisation.layout import ORIENTATION_LABELS, PORTRAIT
from qms.users.admin_forms import ROLE_LABELS

# Each kind's name from its one declaration (qms/documents/block_kinds/declared.py).
BLOCK_LABELS = {kind: declared.label for kind, declared in KINDS.items()}
STAGE_LABELS = {"review": _lp("route stage", "Review"), "approval": _l("Approval")}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes, each with its own label."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _block_choices() -> list[SelectChoice]:
    return [SelectChoice(kind, BLOCK_LABELS.get(kind, kind)) for kind in BLOCK_KINDS]


def _role_choices() -> list[SelectChoice]:
    """Any role may be named for a stage (process owners and staff sign for their processes)."""
    return [SelectChoice(role.value, ROLE_LABELS.get(role.value, role.value)) for role in Role]


class DocumentTypeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    abbreviation = StringField(_l("Abbreviation"), validators=[DataRequired(), Length(max=10)])
    code_pattern = StringField(_l("Code pattern"), validators=[DataRequired(), Length(max=100)])
    default_blocks = MultiCheckboxField(_l("Default content blocks"), choices=_block_choices())
    review_interval_months = IntegerField(
        _l("Review interval (months)"),
        validators=[InputRequired(), NumberRange(min=1, max=120)],
    )
    is_external = BooleanField(_l("Documents of external origin"))
    distinct_signers = BooleanField(_l("The reviewer of a version does not also approve it"))
    orientation = RadioField(
        _l("Printed orientation"),
        choices=[SelectChoice(key, label) for key, label in ORIENTATION_LABELS.items()],
        default=PORTRAIT,
    )

    review_roles = MultiCheckboxField(_l("Roles"), choices=_role_choices())
    review_users = SelectMultipleField(_l("Named users"), coerce=int, choices=[])
    review_count = IntegerField(
        _l("Signatures needed"), validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    review_sequential = BooleanField(_l("Named users sign in sequence"))

    approval_roles = MultiCheckboxField(_l("Roles"), choices=_role_choices())
    approval_users = SelectMultipleField(_l("Named users"), coerce=int, choices=[])
    approval_count = IntegerField(
        _l("Signatures needed"), validators=[InputRequired(), NumberRange(min=1, max=20)]
    )
    approval_sequential = BooleanField(_l("Named users sign in sequence"))

    submit = SubmitField(_l("Save"))

    def set_user_choices(self, stage: str, choices: list[SelectChoice]) -> None:
        getattr(self, f"{stage}_users").choices = choices

    def fill_route(self, route: dict[str, Any]) -> None:
        """Put a stored route into the stage fields (for a GET of the edit page)."""
        for stage in STAGES:
            values = route.get(stage) or {}
            getattr(self, f"{stage}_roles").data = list(values.get("roles") or [])
            getattr(self, f"{stage}_users").data = list(values.get("users") or [])
            getattr(self, f"{stage}_count").data = int(values.get("count") or 1)
            getattr(self, f"{stage}_sequential").data = bool(values.get("sequential"))

    def route(self) -> dict[str, Any]:
        """The submitted route as plain values for the service."""
        return {
            stage: {
                "roles": getattr(self, f"{stage}_roles").data or [],
                "users": getattr(self, f"{stage}_users").data or [],
                "count": getattr(self, f"{stage}_count").data,
                "sequential": bool(getattr(self, f"{stage}_sequential").data),
            }
            for stage in STAGES
        }


class DocumentTypeCreateForm(DocumentTypeForm):
    key = StringField(
        _l("Key"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Create document type"))


class DeactivateTypeForm(FlaskForm):
    submit = SubmitField(_l("Deactivate"))


class ActivateTypeForm(FlaskForm):
    submit = SubmitField(_l("Reactivate"))
