"""Forms of the audit planning pages: programme, plan, reschedule, cancel, auditor profile.

The label dicts of the audit enums live in `qms.audits.labels`; the forms of the audit's own
page (agenda, checklist, findings, report) in `qms.audits.work_forms`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qms.audits.labels import STATE_LABELS
from qms.audits.models import Audit, TeamRole
from qms.audits.services import AuditPlan, TeamSeat
from qms.core.forms import label_choices as _choices
from qms.core.forms import optional_int

TEXT = 20_000
# Aliases from the services' field names to this module's form fields.
PLAN_ALIASES = {"processes": "process_ids", "team": "auditor_ids"}


def user_label(user: Any) -> str:
    return f"{user.full_name} ({user.username})"


class FilterForm(FlaskForm):
    """The list's filter; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    year = SelectField(_l("Year"), coerce=int, validate_choice=False)
    state = SelectField(_l("State"), choices=_choices({"": _l("All"), **STATE_LABELS}))

    def set_years(self, years: list[int]) -> None:
        self.year.choices = [SelectChoice(y, str(y)) for y in years]


class ProgrammeForm(FlaskForm):
    """The year's programme; the service says which parts are required."""

    objectives = TextAreaField(_l("Objectives"), validators=[Length(max=TEXT)])
    scope = TextAreaField(_l("Scope"), validators=[Length(max=TEXT)])
    criteria = TextAreaField(_l("Audit criteria"), validators=[Length(max=TEXT)])
    risks = TextAreaField(_l("Risks and opportunities of the programme"), [Length(max=TEXT)])
    methods = TextAreaField(_l("Methods"), validators=[Length(max=TEXT)])
    resources = TextAreaField(_l("Resources"), validators=[Length(max=TEXT)])
    submit = SubmitField(_l("Save the programme"))

    def values(self) -> dict[str, str]:
        names = ("objectives", "scope", "criteria", "risks", "methods", "resources")
        return {name: self[name].data or "" for name in names}


class PlanForm(FlaskForm):
    """An audit's plan; title, scope, criteria and clauses are checked by the service."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    objectives = TextAreaField(_l("Objectives"), validators=[Optional(), Length(max=TEXT)])
    scope = TextAreaField(_l("Scope"), validators=[Length(max=TEXT)])
    criteria = TextAreaField(_l("Audit criteria"), validators=[Length(max=TEXT)])
    clauses = StringField(_l("ISO 9001 clauses"), validators=[Optional(), Length(max=1000)])
    process_ids = SelectMultipleField(_l("Processes"), coerce=int)
    start_on = DateField(_l("Starts on"), validators=[DataRequired()])
    end_on = DateField(_l("Ends on"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    lead_auditor_id = SelectField(
        _l("Lead auditor"),
        coerce=optional_int,
        validators=[DataRequired(message=_l("Choose the lead auditor."))],
    )
    auditor_ids = SelectMultipleField(_l("Auditors"), coerce=int)
    auditee_ids = SelectMultipleField(_l("Auditees"), coerce=int)
    follow_up_of_id = SelectField(
        _l("Follows up the audit"), coerce=optional_int, validators=[Optional()]
    )
    submit = SubmitField(_l("Save the plan"))

    # (user, process codes, field): one justification per auditor tied to some process.
    waivers: list[tuple[Any, list[str], Any]]

    def set_choices(self, processes: list[Any], auditors: list[Any], users: list[Any]) -> None:
        self.process_ids.choices = [SelectChoice(p.id, f"{p.code} · {p.name}") for p in processes]
        self.lead_auditor_id.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(u.id, user_label(u)) for u in auditors
        ]
        self.auditor_ids.choices = [SelectChoice(u.id, user_label(u)) for u in auditors]
        self.auditee_ids.choices = [SelectChoice(u.id, user_label(u)) for u in users]

    def set_follow_up_choices(self, finished: list[Any]) -> None:
        """Audits whose report is issued: a new audit may follow one up (major findings)."""
        self.follow_up_of_id.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(a.id, f"{a.code} · {a.title}") for a in finished
        ]

    def clause_list(self) -> list[str]:
        return [c for c in re.split(r"[\s,;]+", self.clauses.data or "") if c]

    def justification(self, user_id: int) -> str:
        field = getattr(self, f"justify_{user_id}", None)
        return (field.data or "") if field is not None else ""

    def to_plan(self, start_on: date | None = None, end_on: date | None = None) -> AuditPlan:
        """The service's plan; the dates come from the form unless given (editing)."""
        lead_id = self.lead_auditor_id.data or 0
        return AuditPlan(
            title=self.title.data or "",
            objectives=self.objectives.data or "",
            scope=self.scope.data or "",
            criteria=self.criteria.data or "",
            clauses=self.clause_list(),
            process_ids=list(self.process_ids.data or []),
            start_on=start_on or self.start_on.data,
            end_on=end_on or self.end_on.data,
            place=self.place.data or "",
            lead_auditor=TeamSeat(lead_id, self.justification(lead_id)),
            auditors=[
                TeamSeat(uid, self.justification(uid)) for uid in self.auditor_ids.data or []
            ],
            auditee_ids=list(self.auditee_ids.data or []),
            follow_up_of_id=self.follow_up_of_id.data or None,
        )


def plan_form(
    candidates: list[Any], ties: dict[int, list[str]], *, editing: bool = False, **data: Any
) -> PlanForm:
    """A plan form with a justification field for each auditor who leads or belongs to a
    process (ISO 19011 independence); without dates when editing (dates move by rescheduling).
    """
    fields = {}
    for user in candidates:
        if ties.get(user.id):
            label = _(
                "Why %(name)s may audit %(processes)s",
                name=user.full_name,
                processes=", ".join(ties[user.id]),
            )
            fields[f"justify_{user.id}"] = TextAreaField(
                label, validators=[Optional(), Length(max=TEXT)]
            )
    form_class = type("PlanFormWithWaivers", (PlanForm,), fields)
    form: PlanForm = form_class(**data)
    if editing:
        del form.start_on
        del form.end_on
    form.waivers = [
        (u, ties[u.id], form[f"justify_{u.id}"]) for u in candidates if f"justify_{u.id}" in fields
    ]
    return form


def plan_data(audit: Audit) -> dict[str, Any]:
    """An audit's plan as form data, to edit it."""
    auditors = [m for m in audit.team if m.role == TeamRole.AUDITOR]
    return {
        "title": audit.title,
        "objectives": audit.objectives,
        "scope": audit.scope,
        "criteria": audit.criteria,
        "clauses": ", ".join(audit.clauses or []),
        "process_ids": [p.id for p in audit.processes],
        "place": audit.place,
        "lead_auditor_id": audit.lead_auditor_id,
        "auditor_ids": [m.user_id for m in auditors],
        "auditee_ids": [u.id for u in audit.auditees],
        "follow_up_of_id": audit.follow_up_of_id,
        **{f"justify_{m.user_id}": m.independence_justification for m in audit.team},
    }


class RescheduleForm(FlaskForm):
    start_on = DateField(_l("New start"), id="reschedule-start_on", validators=[DataRequired()])
    end_on = DateField(_l("New end"), id="reschedule-end_on", validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason for the change"),
        id="reschedule-reason",
        validators=[DataRequired(), Length(max=TEXT)],
    )
    submit = SubmitField(_l("Reschedule"), id="reschedule-submit")


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the audit is cancelled"),
        id="cancel-reason",
        validators=[DataRequired(), Length(max=TEXT)],
    )
    submit = SubmitField(_l("Cancel the audit"), id="cancel-submit")


class AuditorProfileForm(FlaskForm):
    training = TextAreaField(_l("Training"), validators=[Length(max=TEXT)])
    qualified_on = DateField(_l("Qualified on"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=TEXT)])
    submit = SubmitField(_l("Save"))
