"""Checklists: generated from the clauses and the documents in force, edited before the audit,
answered question by question during it (each answer is its own small write)."""

from __future__ import annotations

from datetime import date
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.audits.lifecycle import PLANNING_STATES, is_on_team
from qms.audits.models import (
    Answer,
    Audit,
    AuditState,
    ChecklistEvidence,
    ChecklistQuestion,
)
from qms.audits.services import clean_clause, get_audit, text
from qms.blobs.attached import attach_file
from qms.blobs.services import read_blob
from qms.core.db import utcnow
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, can, require
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.documents import iso9001
from qms.documents.models import Document, DocumentVersion, VersionState
from qms.trail import services as trail

P = Permission
MAX_STEP_QUESTIONS = 8  # per document: the auditor adds more by hand when needed


def may_edit_checklist(actor: Any, audit: Audit) -> None:
    """The team (or a quality lead) prepares the checklist before the audit starts."""
    require(actor, P.AUDIT_CONDUCT)
    if not can(actor, P.AUDIT_PROGRAMME_MANAGE):
        is_on_team(audit, actor)
    if audit.state not in PLANNING_STATES:
        raise Conflict(str(_l("The checklist is fixed once the audit has started.")))


def versions_in_force_on(session: Session, process_id: int, day: date) -> list[DocumentVersion]:
    """Per document of the process, the version that was (or will be) in force on `day`."""
    stmt = (
        sa.select(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(
            Document.process_id == process_id,
            DocumentVersion.state.in_(
                (VersionState.EFFECTIVE, VersionState.SUPERSEDED, VersionState.OBSOLETE)
            ),
            DocumentVersion.effective_from <= day,
        )
        .order_by(Document.code, DocumentVersion.number.desc())
    )
    chosen: dict[int, DocumentVersion] = {}
    for version in session.scalars(stmt):
        chosen.setdefault(version.document_id, version)
    # A document withdrawn before the audit date is no longer a criterion.
    return [v for v in chosen.values() if v.state != VersionState.OBSOLETE]


def _document_questions(version: DocumentVersion) -> list[str]:
    document = version.document
    questions = [
        _(
            "Is %(code)s %(title)s (version %(number)d) known and applied as written? Ask for "
            "its records.",
            code=document.code,
            title=document.title,
            number=version.number,
        )
    ]
    steps = [
        step
        for block in version.content or []
        if block.get("kind") == "steps"
        for step in block.get("steps") or []
        if step.get("task")
    ]
    for step in steps[:MAX_STEP_QUESTIONS]:
        records = f" {_('Records')}: {step['records']}." if step.get("records") else ""
        questions.append(
            _("Step %(id)s: is «%(task)s» done as described?", id=step["id"], task=step["task"])
            + records
        )
    for block in version.content or []:
        if block.get("kind") != "indicators":
            continue
        for row in block.get("rows") or []:
            questions.append(
                _(
                    "Indicator «%(name)s»: is it measured (%(frequency)s) and is the target "
                    "(%(target)s) met?",
                    name=row.get("name", ""),
                    frequency=row.get("frequency") or "—",
                    target=row.get("target") or "—",
                )
            )
    return questions


def generate_checklist(session: Session, actor: Any, audit_id: int, language: str = "es") -> int:
    """Add the questions of the audit's clauses and documents in force at its start date.

    Questions already there (same clause or version, same text) are not added twice, so the
    checklist can be regenerated after the plan changed. Returns how many were added.
    """
    audit = get_audit(session, actor, audit_id)
    may_edit_checklist(actor, audit)
    have = {(q.iso_clause, q.version_id, q.text) for q in audit.questions if not q.withdrawn}
    position = max((q.position for q in audit.questions), default=0)
    added = []
    with force_locale(language):
        for clause in audit.clauses or []:
            title = iso9001.title_of(clause, language) or ""
            question = _(
                "%(number)s %(title)s: how does the process meet this requirement? What is the "
                "evidence?",
                number=clause,
                title=title,
            )
            added.append(ChecklistQuestion(text=question, iso_clause=clause))
        for process in audit.processes:
            for version in versions_in_force_on(session, process.id, audit.start_on):
                for question in _document_questions(version):
                    added.append(
                        ChecklistQuestion(
                            text=question, version_id=version.id, process_id=process.id
                        )
                    )
    count = 0
    for question in added:
        if (question.iso_clause, question.version_id, question.text) in have:
            continue
        position += 1
        question.audit_id, question.position = audit.id, position
        session.add(question)
        count += 1
    session.flush()
    trail.record(
        session,
        TrailAction.AUDIT_GENERATE_CHECKLIST,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, "questions_added": count},
    )
    return count


def add_question(
    session: Session,
    actor: Any,
    audit_id: int,
    *,
    text_: str,
    iso_clause: str = "",
    process_id: int | None = None,
) -> ChecklistQuestion:
    audit = get_audit(session, actor, audit_id)
    may_edit_checklist(actor, audit)
    clause = clean_clause(iso_clause, "iso_clause")
    if process_id is not None and process_id not in {p.id for p in audit.processes}:
        raise ValidationFailed(str(_l("Choose one of the audited processes.")), field="process_id")
    position = max((q.position for q in audit.questions), default=0) + 1
    question = ChecklistQuestion(
        audit_id=audit.id,
        position=position,
        text=text(text_, "text", required=_l("Write the question."), limit=2000),
        iso_clause=clause,
        process_id=process_id,
    )
    session.add(question)
    session.flush()
    trail.record(
        session,
        TrailAction.AUDIT_ADD_QUESTION,
        "audit",
        audit.id,
        actor=actor,
        after={"code": audit.code, "question": question.id, "text": question.text},
    )
    return question


def _question(session: Session, actor: Any, question_id: int) -> ChecklistQuestion:
    question = session.get(ChecklistQuestion, question_id)
    if question is None:
        raise NotFound(str(_l("Question not found.")))
    get_audit(session, actor, question.audit_id)
    return question


def edit_question(session: Session, actor: Any, question_id: int, text_: str) -> ChecklistQuestion:
    question = _question(session, actor, question_id)
    may_edit_checklist(actor, question.audit)
    before = question.text
    question.text = text(text_, "text", required=_l("Write the question."), limit=2000)
    session.flush()
    trail.record(
        session,
        TrailAction.AUDIT_EDIT_QUESTION,
        "audit",
        question.audit_id,
        actor=actor,
        before={"question": question.id, "text": before},
        after={"question": question.id, "text": question.text},
    )
    return question


def withdraw_question(session: Session, actor: Any, question_id: int) -> ChecklistQuestion:
    """Taken out of the checklist before the audit: kept, marked withdrawn."""
    question = _question(session, actor, question_id)
    may_edit_checklist(actor, question.audit)
    question.withdrawn = True
    session.flush()
    trail.record(
        session,
        TrailAction.AUDIT_WITHDRAW_QUESTION,
        "audit",
        question.audit_id,
        actor=actor,
        after={"question": question.id, "text": question.text},
    )
    return question


def _answering(session: Session, actor: Any, question_id: int) -> ChecklistQuestion:
    question = _question(session, actor, question_id)
    audit = question.audit
    require(actor, P.AUDIT_CONDUCT)
    is_on_team(audit, actor)
    if audit.state != AuditState.IN_PROGRESS:
        raise Conflict(str(_l("Answers are recorded while the audit is in progress.")))
    if question.withdrawn:
        raise Conflict(str(_l("This question was taken out of the checklist.")))
    return question


def answer_question(
    session: Session, actor: Any, question_id: int, *, answer: str, notes: str = ""
) -> ChecklistQuestion:
    """One question's result and notes, saved on their own (a tablet on a weak connection)."""
    question = _answering(session, actor, question_id)
    if answer not in set(Answer):
        raise ValidationFailed(
            str(_l("Choose conforming, not conforming or not applicable.")), field="answer"
        )
    cleaned = text(notes, "notes")
    if answer == Answer.NONCONFORMING and not cleaned:
        raise ValidationFailed(
            str(_l("Note what was seen: a nonconformity needs its evidence.")), field="notes"
        )
    before = {"answer": question.answer, "notes": question.notes}
    if before == {"answer": answer, "notes": cleaned}:
        return question  # the same answer sent again (a retry): nothing to record
    question.answer, question.notes = answer, cleaned
    question.answered_by_id, question.answered_at = actor.id, utcnow()
    session.flush()
    trail.record(
        session,
        TrailAction.AUDIT_ANSWER,
        "audit",
        question.audit_id,
        actor=actor,
        before={"question": question.id, **before},
        after={"question": question.id, "answer": answer, "notes": cleaned},
    )
    return question


def attach_answer_evidence(
    session: Session,
    store: BlobStore,
    actor: Any,
    question_id: int,
    *,
    data: bytes | BinaryIO,
    filename: str,
    media_type: str,
) -> ChecklistEvidence:
    """A photo or a record for one answer, in the blob store; the name is only shown."""
    question = _answering(session, actor, question_id)
    evidence = attach_file(
        session,
        store,
        actor,
        ChecklistEvidence,
        data=data,
        filename=filename,
        media_type=media_type,
        question_id=question.id,
    )
    trail.record(
        session,
        TrailAction.AUDIT_ATTACH,
        "audit",
        question.audit_id,
        actor=actor,
        after={
            "question": question.id,
            "file": evidence.filename,
            "sha256": evidence.blob_sha256,
        },
    )
    return evidence


def read_answer_evidence(
    session: Session, store: BlobStore, actor: Any, evidence_id: int
) -> tuple[ChecklistEvidence, bytes]:
    evidence = session.get(ChecklistEvidence, evidence_id)
    if evidence is None:
        raise NotFound(str(_l("File not found.")))
    _question(session, actor, evidence.question_id)
    return evidence, read_blob(session, store, evidence.blob_sha256)
