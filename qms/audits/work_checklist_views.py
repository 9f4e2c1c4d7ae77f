"""The checklist, on the `audit_work` blueprint: prepared before the audit (generate, add, edit,
withdraw questions), answered during it one question at a time, with evidence files.

Each answer is its own small POST. Without JavaScript it redirects back to the question; with
`Accept: application/json` (audit_checklist.js) it answers {"ok": true, "answer": ...}, so a
tablet on a weak connection saves question by question and retries what did not go through.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.audits import checklist, services
from qms.audits.labels import all_labels
from qms.audits.models import Audit, ChecklistQuestion
from qms.audits.urls import audit_work_bp as bp
from qms.audits.work_forms import (
    ActionForm,
    AnswerForm,
    EvidenceForm,
    QuestionEditForm,
    QuestionForm,
)
from qms.audits.work_views import language, may, step
from qms.blobs.attached import download_headers
from qms.core.db import db
from qms.core.errors import DomainError, NotFound, ValidationFailed
from qms.core.forms import unique_ids
from qms.core.permissions import Permission, permission_required
from qms.core.web import attach_error
from qms.documents import iso9001

P = Permission


def _question(question_id: int) -> ChecklistQuestion:
    """The question when its audit is visible to the reader; 404 otherwise."""
    question = db.session.get(ChecklistQuestion, question_id)
    if question is None:
        raise NotFound(_("Question not found."))
    services.get_audit(db.session, current_user, question.audit_id)
    return question


def render_checklist(audit: Audit, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """The checklist page: one small form per question; `forms` carries a failed one back."""
    questions = [q for q in audit.questions if not q.withdrawn]
    answer_forms, evidence_forms, edit_forms = {}, {}, {}
    for q in questions:
        key = str(q.id)
        answer_forms[q.id] = forms.get(f"answer_{q.id}") or unique_ids(
            AnswerForm(formdata=None, answer=q.answer or None, notes=q.notes), key
        )
        evidence_forms[q.id] = forms.get(f"evidence_{q.id}") or unique_ids(
            EvidenceForm(formdata=None), key
        )
        edit_forms[q.id] = forms.get(f"edit_{q.id}") or unique_ids(
            QuestionEditForm(formdata=None, text=q.text), key
        )
    question_form = forms.get("question_form") or QuestionForm(formdata=None)
    question_form.set_choices(audit.processes, iso9001.clauses(language()))
    html = render_template(
        "audits/checklist.html",
        audit=audit,
        questions=questions,
        withdrawn=[q for q in audit.questions if q.withdrawn],
        may=may(audit, current_user),
        answer_forms=answer_forms,
        evidence_forms=evidence_forms,
        edit_forms=edit_forms,
        question_form=question_form,
        action_form=forms.get("action_form") or ActionForm(formdata=None),
        **all_labels(),
    )
    return html, status


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _answer_json(question: ChecklistQuestion) -> dict[str, Any]:
    from qms.audits.labels import ANSWER_LABELS

    return {
        "question": question.id,
        "answer": question.answer,
        "label": str(ANSWER_LABELS.get(question.answer, question.answer)),
        "notes": question.notes,
        "answered_at": question.answered_at.isoformat() if question.answered_at else None,
    }


@bp.get("/<int:audit_id>/checklist")
@permission_required(P.AUDIT_READ_ALL, own=True)
def checklist_page(audit_id: int) -> ResponseReturnValue:
    return render_checklist(services.get_audit(db.session, current_user, audit_id))


@bp.post("/questions/<int:question_id>/answer")
@permission_required(P.AUDIT_CONDUCT)
def answer(question_id: int) -> ResponseReturnValue:
    """One answer. JSON in, JSON out for the script; a form post and a redirect without it."""
    as_json = _wants_json()
    form = unique_ids(AnswerForm(), str(question_id))
    try:
        question = _question(question_id)
        if not form.validate_on_submit():
            message = " ".join(e for errors in form.errors.values() for e in errors)
            raise ValidationFailed(message or _("Check the answer."), field="answer")
        question = checklist.answer_question(
            db.session,
            current_user,
            question_id,
            answer=form.answer.data or "",
            notes=form.notes.data or "",
        )
    except DomainError as error:
        if as_json:
            body = {"code": error.code, "message": error.message, "field": error.field}
            return jsonify({"ok": False, "error": body}), error.status_code
        if not isinstance(error, ValidationFailed):
            raise
        db.session.rollback()
        attach_error(form, error)
        audit = services.get_audit(db.session, current_user, question.audit_id)
        return render_checklist(audit, 400, **{f"answer_{question_id}": form})
    if as_json:
        return jsonify({"ok": True, "answer": _answer_json(question)})
    flash(_("Answer saved."), "success")
    return redirect(
        url_for(".checklist_page", audit_id=question.audit_id, _anchor=f"q-{question_id}")
    )


@bp.post("/questions/<int:question_id>/evidence")
@permission_required(P.AUDIT_CONDUCT)
def attach(question_id: int) -> ResponseReturnValue:
    question = _question(question_id)
    form = unique_ids(EvidenceForm(), str(question_id))

    def call(audit: Audit) -> None:
        upload = form.file.data
        checklist.attach_answer_evidence(
            db.session,
            current_app.extensions["qms_store"],
            current_user,
            question_id,
            data=upload.stream,
            filename=upload.filename or "",
            media_type=upload.mimetype or "",
        )

    return step(
        question.audit_id,
        f"evidence_{question_id}",
        form,
        call,
        _("File attached."),
        render=render_checklist,
        endpoint="audit_work.checklist_page",
        anchor=f"q-{question_id}",
    )


@bp.get("/evidence/<int:evidence_id>")
@permission_required(P.AUDIT_READ_ALL, own=True)
def evidence(evidence_id: int) -> Response:
    store = current_app.extensions["qms_store"]
    found, data = checklist.read_answer_evidence(db.session, store, current_user, evidence_id)
    return Response(data, headers=download_headers(found))


@bp.post("/<int:audit_id>/checklist/generate")
@permission_required(P.AUDIT_CONDUCT)
def generate(audit_id: int) -> ResponseReturnValue:
    return step(
        audit_id,
        "action_form",
        ActionForm(),
        lambda audit: checklist.generate_checklist(db.session, current_user, audit.id, language()),
        lambda count: _("%(count)d questions added to the checklist.", count=count),
        render=render_checklist,
        endpoint="audit_work.checklist_page",
    )


@bp.post("/<int:audit_id>/questions")
@permission_required(P.AUDIT_CONDUCT)
def add_question(audit_id: int) -> ResponseReturnValue:
    form = QuestionForm()
    audit = services.get_audit(db.session, current_user, audit_id)
    form.set_choices(audit.processes, iso9001.clauses(language()))
    return step(
        audit_id,
        "question_form",
        form,
        lambda audit: checklist.add_question(
            db.session,
            current_user,
            audit.id,
            text_=form.text.data or "",
            iso_clause=form.iso_clause.data or "",
            process_id=form.process_id.data,
        ),
        _("Question added."),
        render=render_checklist,
        endpoint="audit_work.checklist_page",
        anchor="add-question",
    )


@bp.post("/questions/<int:question_id>/edit")
@permission_required(P.AUDIT_CONDUCT)
def edit_question(question_id: int) -> ResponseReturnValue:
    question = _question(question_id)
    form = unique_ids(QuestionEditForm(), str(question_id))
    return step(
        question.audit_id,
        f"edit_{question_id}",
        form,
        lambda audit: checklist.edit_question(
            db.session, current_user, question_id, form.text.data or ""
        ),
        _("Question changed."),
        render=render_checklist,
        endpoint="audit_work.checklist_page",
        anchor=f"q-{question_id}",
    )


@bp.post("/questions/<int:question_id>/withdraw")
@permission_required(P.AUDIT_CONDUCT)
def withdraw_question(question_id: int) -> ResponseReturnValue:
    question = _question(question_id)
    return step(
        question.audit_id,
        "action_form",
        ActionForm(),
        lambda audit: checklist.withdraw_question(db.session, current_user, question_id),
        _("Question taken out of the checklist."),
        render=render_checklist,
        endpoint="audit_work.checklist_page",
    )
