"""Forms of an audit's own page and of the auditor's work: agenda, checklist, findings, report."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from qms.audits.labels import AGENDA_KIND_LABELS, ANSWER_LABELS, GRADE_LABELS
from qms.core.forms import label_choices as _choices
from qms.core.forms import optional_int

TEXT = 20_000


def process_choices(processes: list[Any], none_label: Any) -> list[SelectChoice]:
    return [SelectChoice("", none_label)] + [
        SelectChoice(p.id, f"{p.code} · {p.name}") for p in processes
    ]


def clause_choices(clauses: list[dict[str, str]]) -> list[SelectChoice]:
    return [SelectChoice("", _l("— none —"))] + [
        SelectChoice(c["number"], f"{c['number']} {c['title']}") for c in clauses
    ]


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token: start, notify, generate, withdraw, close…"""


# Choices are offered, not enforced: the services say what is wrong in domain terms.


class AgendaItemForm(FlaskForm):
    kind = SelectField(_l("What"), choices=_choices(AGENDA_KIND_LABELS), id="agenda-kind")
    day = DateField(_l("Day"), validators=[Optional()], id="agenda-day")
    starts_at = StringField(
        _l("Starts at"),
        validators=[DataRequired(), Length(max=5)],
        render_kw={"type": "time"},
        id="agenda-starts",
    )
    ends_at = StringField(
        _l("Ends at"),
        validators=[DataRequired(), Length(max=5)],
        render_kw={"type": "time"},
        id="agenda-ends",
    )
    process_id = SelectField(
        _l("Process"), coerce=optional_int, validate_choice=False, id="agenda-process"
    )
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=2000)], id="agenda-topic")
    participants = StringField(
        _l("Participants"), validators=[Optional(), Length(max=2000)], id="agenda-participants"
    )

    def set_processes(self, processes: list[Any]) -> None:
        self.process_id.choices = process_choices(processes, _l("— none —"))


class AnswerForm(FlaskForm):
    """One question's answer; one of these per question on the checklist page."""

    # The service says what is wrong with a missing or unknown answer.
    answer = RadioField(_l("Result"), choices=_choices(ANSWER_LABELS), validate_choice=False)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=TEXT)])


class EvidenceForm(FlaskForm):
    file = FileField(_l("Evidence file (photo, record)"), validators=[FileRequired()])


class QuestionForm(FlaskForm):
    text = TextAreaField(
        _l("Question"), validators=[DataRequired(), Length(max=2000)], id="question-text"
    )
    iso_clause = SelectField(
        _l("ISO 9001 clause (optional)"), default="", validate_choice=False, id="question-clause"
    )
    process_id = SelectField(
        _l("Process (optional)"), coerce=optional_int, validate_choice=False, id="question-process"
    )

    def set_choices(self, processes: list[Any], clauses: list[dict[str, str]]) -> None:
        self.process_id.choices = process_choices(processes, _l("— none —"))
        self.iso_clause.choices = clause_choices(clauses)


class QuestionEditForm(FlaskForm):
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])


class FindingForm(FlaskForm):
    grade = SelectField(
        _l("Grade"),
        choices=_choices({"": _l("— choose —"), **GRADE_LABELS}),
        default="",
        validate_choice=False,
        id="finding-grade",
    )
    process_id = SelectField(
        _l("Process"), coerce=optional_int, validate_choice=False, id="finding-process"
    )
    iso_clause = SelectField(
        _l("ISO 9001 clause (optional)"), default="", validate_choice=False, id="finding-clause"
    )
    criterion = TextAreaField(
        _l("Audit criterion"), validators=[DataRequired(), Length(max=TEXT)], id="finding-criterion"
    )
    evidence = TextAreaField(
        _l("Objective evidence"),
        validators=[DataRequired(), Length(max=TEXT)],
        id="finding-evidence",
    )
    statement = TextAreaField(
        _l("Finding"), validators=[DataRequired(), Length(max=TEXT)], id="finding-statement"
    )
    question_id = SelectField(
        _l("Checklist question (optional)"),
        coerce=optional_int,
        validate_choice=False,
        id="finding-question",
    )

    def set_choices(
        self, processes: list[Any], clauses: list[dict[str, str]], questions: list[Any]
    ) -> None:
        self.process_id.choices = process_choices(processes, _l("— choose —"))
        self.iso_clause.choices = clause_choices(clauses)
        self.question_id.choices = [SelectChoice("", _l("— none —"))] + [
            SelectChoice(q.id, f"{n}. {q.text[:90]}") for n, q in enumerate(questions, start=1)
        ]


class ReportTextForm(FlaskForm):
    conclusions = TextAreaField(
        _l("Conclusions"), validators=[Optional(), Length(max=TEXT)], id="report-conclusions"
    )
    strengths = TextAreaField(
        _l("Strengths"), validators=[Optional(), Length(max=TEXT)], id="report-strengths"
    )
    distribution = TextAreaField(
        _l("Distribution"), validators=[Optional(), Length(max=TEXT)], id="report-distribution"
    )


class IssueReportForm(FlaskForm):
    password = PasswordField(
        _l("Your password, to sign"),
        validators=[DataRequired()],
        id="issue-password",
        render_kw={"autocomplete": "current-password"},
    )


class AcceptReportForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=2000)], id="accept-comment"
    )
    password = PasswordField(
        _l("Your password, to sign"),
        validators=[DataRequired()],
        id="accept-password",
        render_kw={"autocomplete": "current-password"},
    )
