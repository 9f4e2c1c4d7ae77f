"""Forms and labels of the nonconformity pages (ISO 9001 clause 10.2)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from qms.capa.diagrams import CATEGORIES
from qms.capa.models import (
    ActionKind,
    ActionStatus,
    AnalysisMethod,
    CheckResult,
    NcSource,
    NcState,
    Severity,
)
from qms.core.errors import ValidationFailed
from qms.core.forms import label_choices as _choices
from qms.core.forms import optional_int
from qms.core.localtime import local_today

TEXT = 20_000
STATE_LABELS = {
    NcState.REPORTED.value: _l("Reported"),
    NcState.ACCEPTED.value: _l("Accepted"),
    NcState.CONTAINED.value: _l("Contained"),
    NcState.ANALYSED.value: _l("Analysed"),
    NcState.IN_PROGRESS.value: _l("In progress"),
    NcState.AWAITING_CHECK.value: _l("Awaiting the effectiveness check"),
    NcState.CLOSED.value: _lp("nonconformity", "Closed"),
    NcState.DISCARDED.value: _lp("nonconformity", "Discarded"),
}
SOURCE_LABELS = {
    NcSource.INTERNAL_AUDIT.value: _l("Internal audit"),
    NcSource.EXTERNAL_AUDIT.value: _l("External audit"),
    NcSource.PQRS.value: _l("PQRS (petition, complaint, claim or suggestion)"),
    NcSource.PROCESS.value: _l("Process or indicator result"),
    NcSource.SUPPLIER.value: _l("Supplier"),
    NcSource.MANAGEMENT_REVIEW.value: _l("Management review"),
    NcSource.OTHER.value: _l("Other"),
}
SEVERITY_LABELS = {Severity.MAJOR.value: _l("Major"), Severity.MINOR.value: _l("Minor")}
METHOD_LABELS = {
    AnalysisMethod.FIVE_WHYS.value: _l("5 whys"),
    AnalysisMethod.ISHIKAWA.value: _l("Ishikawa (fishbone)"),
}
KIND_LABELS = {
    ActionKind.CORRECTIVE.value: _l("Corrective"),
    ActionKind.PREVENTIVE.value: _l("Preventive"),
    ActionKind.IMPROVEMENT.value: _l("Improvement"),
}
ACTION_STATUS_LABELS = {
    ActionStatus.PLANNED.value: _l("Planned"),
    ActionStatus.IN_PROGRESS.value: _l("In progress"),
    ActionStatus.DONE.value: _lp("action", "Done"),
    ActionStatus.CANCELLED.value: _l("Cancelled"),
}
RESULT_LABELS = {
    CheckResult.EFFECTIVE.value: _lp("effectiveness", "Effective"),
    CheckResult.NOT_EFFECTIVE.value: _l("Not effective"),
}
CATEGORY_LABELS = {
    "method": _l("Method"),
    "manpower": _l("People"),
    "machinery": _l("Machinery"),
    "materials": _l("Materials"),
    "measurement": _l("Measurement"),
    "environment": _l("Environment"),
}
WHYS = range(1, 6)
_ROOT_REF = re.compile(r"^([a-z]+):(\d+)$")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class FilterForm(FlaskForm):
    """The list's filter; sent by GET, so no CSRF token."""

    class Meta:
        csrf = False

    state = SelectField(
        _l("State"),
        choices=_choices({"": _l("All"), "open": _l("Open (any step)"), **STATE_LABELS}),
    )
    source = SelectField(_l("Origin"), choices=_choices({"": _l("All"), **SOURCE_LABELS}))
    clause = SelectField(_l("ISO 9001 clause"), choices=[], validate_choice=False)
    # `process` names a method of the form: the attribute differs, the parameter does not.
    process_id = SelectField(_l("Process"), name="process", choices=[], validate_choice=False)
    audit = SelectField(_l("Audit"), choices=[], validate_choice=False)
    overdue = BooleanField(_l("With overdue actions"))


class ReportForm(FlaskForm):
    source = SelectField(
        _l("Found in"), choices=_choices({"": _l("— choose —"), **SOURCE_LABELS}), default=""
    )
    process_id = SelectField(_l("Process"), coerce=optional_int)
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("What was found"), validators=[DataRequired(), Length(max=TEXT)])
    detected_on = DateField(_l("Detected on"), validators=[DataRequired()], default=local_today)
    detected_by = StringField(_l("Detected by"), validators=[Optional(), Length(max=200)])
    severity = RadioField(
        _l("Severity"), choices=_choices(SEVERITY_LABELS), default=Severity.MINOR.value
    )
    iso_clause = SelectField(_l("ISO 9001 clause (optional)"), default="")
    document_code = StringField(
        _l("Document code (optional)"), validators=[Optional(), Length(max=40)]
    )
    submit = SubmitField(_l("Report the nonconformity"))

    def set_choices(self, processes: list[Any], clauses: list[dict[str, str]]) -> None:
        none = SelectChoice("", _l("— choose —"))
        self.process_id.choices = [none] + [
            SelectChoice(p.id, f"{p.code} · {p.name}") for p in processes
        ]
        self.iso_clause.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(c["number"], f"{c['number']} {c['title']}") for c in clauses
        ]


class AcceptForm(FlaskForm):
    submit = SubmitField(_l("Accept as a nonconformity"), id="accept-submit")


class DiscardForm(FlaskForm):
    reason = TextAreaField(
        _l("Why it is not a nonconformity"),
        id="discard-reason",
        validators=[DataRequired(), Length(max=TEXT)],
    )
    submit = SubmitField(_l("Discard"), id="discard-submit")


class ContainForm(FlaskForm):
    containment = TextAreaField(
        _l("Containment or correction"), validators=[DataRequired(), Length(max=TEXT)]
    )
    submit = SubmitField(_l("Record the containment"), id="contain-submit")


class AnalysisForm(FlaskForm):
    action_needed = RadioField(
        _l("Is corrective action needed?"),
        choices=_choices({"yes": _l("Yes"), "no": _l("No")}),
        default="yes",
    )
    justification = TextAreaField(
        _l("Why no corrective action is needed"), validators=[Optional(), Length(max=TEXT)]
    )
    method = RadioField(
        _l("Method"), choices=_choices(METHOD_LABELS), validators=[Optional()], default=None
    )
    why_1 = StringField(_l("Why %(n)d", n=1), validators=[Optional(), Length(max=1000)])
    why_2 = StringField(_l("Why %(n)d", n=2), validators=[Optional(), Length(max=1000)])
    why_3 = StringField(_l("Why %(n)d", n=3), validators=[Optional(), Length(max=1000)])
    why_4 = StringField(_l("Why %(n)d", n=4), validators=[Optional(), Length(max=1000)])
    why_5 = StringField(_l("Why %(n)d", n=5), validators=[Optional(), Length(max=1000)])
    root_why = RadioField(
        _l("Root cause"),
        choices=_choices(
            {"": _l("The last answer written"), **{str(n): _l("Why %(n)d", n=n) for n in WHYS}}
        ),
        default="",
        validate_choice=True,
    )
    cause_method = TextAreaField(CATEGORY_LABELS["method"], validators=[Length(max=TEXT)])
    cause_manpower = TextAreaField(CATEGORY_LABELS["manpower"], validators=[Length(max=TEXT)])
    cause_machinery = TextAreaField(CATEGORY_LABELS["machinery"], validators=[Length(max=TEXT)])
    cause_materials = TextAreaField(CATEGORY_LABELS["materials"], validators=[Length(max=TEXT)])
    cause_measurement = TextAreaField(CATEGORY_LABELS["measurement"], validators=[Length(max=TEXT)])
    cause_environment = TextAreaField(CATEGORY_LABELS["environment"], validators=[Length(max=TEXT)])
    ishikawa_roots = StringField(_l("Root causes"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record the analysis"), id="analyse-submit")

    def needed(self) -> bool:
        return self.action_needed.data != "no"

    def analysis_data(self) -> dict[str, Any]:
        """The service's `data` for the chosen method; a root cause that names nothing is an
        error here, rather than silently dropped by the service."""
        if self.method.data == AnalysisMethod.FIVE_WHYS:
            answers = [(n, (self[f"why_{n}"].data or "").strip()) for n in WHYS]
            written = [(n, text) for n, text in answers if text]
            roots: list[int] = []
            if self.root_why.data:
                chosen = [i for i, (n, _text) in enumerate(written) if str(n) == self.root_why.data]
                if not chosen:
                    raise ValidationFailed(_("Mark a why that has an answer."), field="root_why")
                roots = chosen
            return {"whys": [text for _n, text in written], "root_causes": roots}
        if self.method.data == AnalysisMethod.ISHIKAWA:
            causes = {key: _lines(self[f"cause_{key}"].data) for key in CATEGORIES}
            refs: list[list[str | int]] = []
            for ref in re.split(r"[\s,;]+", (self.ishikawa_roots.data or "").strip().lower()):
                if not ref:
                    continue
                match = _ROOT_REF.match(ref)
                number = int(match.group(2)) if match else 0
                if not match or not 1 <= number <= len(causes.get(match.group(1), [])):
                    raise ValidationFailed(
                        _("%(ref)s names no cause: write category:number.", ref=ref),
                        field="ishikawa_roots",
                    )
                refs.append([match.group(1), number - 1])
            return {"causes": causes, "root_causes": refs}
        return {}


class ActionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=_choices(KIND_LABELS))
    description = TextAreaField(
        _l("Action"), id="action-description", validators=[DataRequired(), Length(max=TEXT)]
    )
    owner_id = SelectField(_l("Owner"), coerce=optional_int)
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    deliverable = TextAreaField(_l("Deliverable"), validators=[Optional(), Length(max=TEXT)])
    change_request_id = IntegerField(
        _l("Change request number (optional)"), validators=[Optional(), NumberRange(min=1)]
    )
    submit = SubmitField(_l("Add the action"), id="action-submit")

    def set_owners(self, users: list[Any]) -> None:
        self.owner_id.choices = [SelectChoice("", _l("— choose —"))] + [
            SelectChoice(u.id, f"{u.full_name} ({u.username})") for u in users
        ]


class PlanForm(FlaskForm):
    check_due_on = DateField(_l("Check effectiveness on"), validators=[DataRequired()])
    check_criterion = TextAreaField(
        _l("Effectiveness criterion"), validators=[DataRequired(), Length(max=TEXT)]
    )
    submit = SubmitField(_l("Approve the plan"), id="plan-submit")


class ActionUpdateForm(FlaskForm):
    progress = IntegerField(
        _l("Progress (%)"), validators=[Optional(), NumberRange(min=0, max=100)]
    )
    evidence = TextAreaField(_l("Evidence"), validators=[Optional(), Length(max=TEXT)])
    done = BooleanField(_l("The action is done"))
    submit = SubmitField(_l("Save"))


class EffectivenessForm(FlaskForm):
    result = RadioField(_l("Result"), choices=_choices(RESULT_LABELS), validators=[DataRequired()])
    evidence = TextAreaField(
        _l("Evidence of the result"),
        id="check-evidence",
        validators=[DataRequired(), Length(max=TEXT)],
    )
    password = PasswordField(
        _l("Password (your signature)"),
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Sign the check"), id="check-submit")


class CloseForm(FlaskForm):
    submit = SubmitField(_l("Close the nonconformity"), id="close-submit")


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Correction"), validators=[DataRequired(), Length(max=TEXT)])
    reason = TextAreaField(
        _l("Reason"), id="note-reason", validators=[DataRequired(), Length(max=TEXT)]
    )
    submit = SubmitField(_l("Append the note"), id="note-submit")


class EvidenceForm(FlaskForm):
    """A file of evidence for the nonconformity or one of its actions (0: the nonconformity)."""

    file = FileField(_l("File"), validators=[FileRequired()])
    action_id = SelectField(_l("For"), coerce=int, default=0, validate_choice=False)
    submit = SubmitField(_l("Attach the file"))

    def set_actions(self, actions: list[Any]) -> None:
        self.action_id.choices = [SelectChoice(0, _l("The nonconformity"))] + [
            SelectChoice(a.id, a.description[:80]) for a in actions
        ]
