"""Clause 9.2 through the services: plan (scope, criteria, independence) → notify → run from the
checklist → findings → a nonconformity per NC finding → signed report → accepted → closed."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from qms.audits import checklist, findings, report
from qms.audits import programme as programmes
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit, AuditState, AuditTeamMember, ChecklistQuestion, FindingGrade
from qms.audits.services import TeamSeat
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qms.processes.services import set_members
from tests.audits_fixtures import a_plan, build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import user
from tests.helpers import PASSWORD, make_user, trail_events


@pytest.fixture
def world(app):
    org = build_audit_org(app)
    return org, programme_for(app, org)


@pytest.mark.parametrize("missing", ["scope", "criteria"])
def test_no_plan_without_scope_or_criteria(app, world, missing):
    org, programme_id = world
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            audits.plan_audit(
                db.session, user(org.lead_id), programme_id, a_plan(org, **{missing: "  "})
            )
        assert refused.value.field == missing
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 0
    assert trail_events(app, "audit:plan") == []


@pytest.mark.parametrize("who", ["leader_id", "member_id"])
def test_an_auditor_may_not_audit_a_process_they_lead_or_belong_to(app, world, who):
    org, programme_id = world
    conflicted = getattr(org, who)
    with app.app_context():
        with pytest.raises(ValidationFailed) as refused:
            audits.plan_audit(
                db.session,
                user(org.lead_id),
                programme_id,
                a_plan(org, lead_auditor=TeamSeat(conflicted)),
            )
        assert "AC" in refused.value.message
        db.session.rollback()
    assert trail_events(app, "audit:plan") == []


def test_a_quality_lead_may_waive_independence_with_a_justification(app, world):
    org, programme_id = world
    why = "Único auditor formado en PQRS; acompañado por auditora externa."
    audit_id = planned_audit(
        app, org, programme_id, auditors=[TeamSeat(org.member_id, justification=why)]
    )
    with app.app_context():
        member = db.session.scalar(
            sa.select(AuditTeamMember).where(
                AuditTeamMember.audit_id == audit_id, AuditTeamMember.user_id == org.member_id
            )
        )
        assert member.independence_justification == why
        assert member.justified_by_id == org.lead_id
    (waiver,) = trail_events(app, "audit:independence_waive")
    assert waiver.reason == why and json.loads(waiver.after)["processes"] == ["AC"]


def test_neither_the_waived_auditor_nor_an_auditee_grants_the_waiver(app, world):
    org, programme_id = world
    why = "Único auditor formado en PQRS."
    # A quality lead who also audits and belongs to AC may not excuse himself...
    himself = make_user(app, "gerardo", ["quality_lead", "auditor"]).id
    marta = make_user(app, "marta", ["quality_lead"]).id
    with app.app_context():
        set_members(
            db.session, user(org.leader_id), org.ac_id, [org.member_id, org.staff_id, himself]
        )
        db.session.commit()
        with pytest.raises(PermissionDenied, match="ni un auditado"):
            audits.plan_audit(
                db.session,
                user(himself),
                programme_id,
                a_plan(org, lead_auditor=TeamSeat(himself, justification=why)),
            )
        db.session.rollback()
        # ...nor may a quality lead who is audited in it excuse the auditor.
        with pytest.raises(PermissionDenied):
            audits.plan_audit(
                db.session,
                user(marta),
                programme_id,
                a_plan(
                    org,
                    auditors=[TeamSeat(org.member_id, justification=why)],
                    auditee_ids=[org.leader_id, marta],
                ),
            )
        db.session.rollback()
    assert trail_events(app, "audit:independence_waive") == []
    assert trail_events(app, "audit:plan") == []


def test_only_quality_leads_plan(app, world):
    org, programme_id = world
    with app.app_context(), pytest.raises(PermissionDenied):
        audits.plan_audit(db.session, user(org.auditor_id), programme_id, a_plan(org))


@pytest.mark.sql
def test_who_sees_an_audit(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        for seer in (org.lead_id, org.auditor_id, org.staff_id, org.leader_id):
            assert audits.get_audit(db.session, user(seer), audit_id).id == audit_id
        with pytest.raises(NotFound):
            audits.get_audit(db.session, user(org.outsider_id), audit_id)
        assert audits.list_audits(db.session, user(org.outsider_id)) == []
        assert [a.id for a in audits.list_audits(db.session, user(org.staff_id))] == [audit_id]


def _answer_all(org, audit_id):
    audit = db.session.get(Audit, audit_id)
    for question in audit.questions:
        checklist.answer_question(
            db.session, user(org.auditor_id), question.id, answer="conforming", notes="Visto."
        )


def test_the_whole_audit(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    auditor, lead = None, None
    with app.app_context():
        auditor, lead = user(org.auditor_id), user(org.lead_id)
        added = checklist.generate_checklist(db.session, auditor, audit_id)
        assert added == 2  # one per clause; no document of AC is in force
        assert checklist.generate_checklist(db.session, auditor, audit_id) == 0
        checklist.add_question(
            db.session, auditor, audit_id, text_="¿Se conocen los tiempos de respuesta?"
        )
        WORKFLOW.apply(
            db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, auditor
        )
        db.session.commit()
        # Answers wait for the opening meeting.
        question = db.session.get(Audit, audit_id).questions[0]
        with pytest.raises(Conflict):
            checklist.answer_question(db.session, auditor, question.id, answer="conforming")
        audits.start_audit(db.session, auditor, audit_id)
        with pytest.raises(Conflict):  # the checklist is fixed once the audit runs
            checklist.add_question(db.session, auditor, audit_id, text_="¿Otra?")
        with pytest.raises(ValidationFailed):  # a nonconformity needs its evidence
            checklist.answer_question(db.session, auditor, question.id, answer="nonconforming")
        _answer_all(org, audit_id)
        finding = findings.record_finding(
            db.session,
            auditor,
            audit_id,
            grade=FindingGrade.MAJOR_NC,
            process_id=org.ac_id,
            iso_clause="8.2.1",
            criterion="Ley 1755 de 2015: 15 días hábiles.",
            evidence="PQRS 2026-118 respondida en 22 días hábiles.",
            statement="Las quejas se responden fuera del término legal.",
            question_id=question.id,
        )
        with pytest.raises(ValidationFailed):  # no conclusions yet
            report.issue_report(db.session, auditor, audit_id, PASSWORD)
        report.save_report_text(
            db.session,
            auditor,
            audit_id,
            conclusions="El proceso cumple salvo el término de respuesta.",
            strengths="Registro de PQRS completo.",
            distribution="Gerencia; líder de AC.",
        )
        with pytest.raises(PermissionDenied):  # only the lead auditor signs the report
            report.issue_report(db.session, user(org.second_auditor_id), audit_id, PASSWORD)
        with pytest.raises(ValidationFailed):
            report.issue_report(db.session, auditor, audit_id, "wrong password")
        db.session.commit()
        signature = report.issue_report(db.session, auditor, audit_id, PASSWORD)
        db.session.commit()
        audit = db.session.get(Audit, audit_id)
        assert audit.state == AuditState.REPORT_ISSUED
        assert audit.report_sha256 == signature.content_sha256 == report.report_sha256(audit)
        with pytest.raises(Conflict):  # read-only once issued
            report.save_report_text(
                db.session, auditor, audit_id, conclusions="x", strengths="", distribution=""
            )
        with pytest.raises(Conflict, match="hallazgo 1"):
            report.close_audit(db.session, lead, audit_id)
        nc = findings.open_nonconformity(db.session, auditor, finding.id)
        db.session.commit()
        with pytest.raises(Conflict):  # one nonconformity per finding
            findings.open_nonconformity(db.session, auditor, finding.id)
        db.session.rollback()
        nc = db.session.get(Nonconformity, nc.id)
        assert (nc.source, nc.severity, nc.iso_clause) == ("internal_audit", "major", "8.2.1")
        assert findings.finding_of_nonconformity(db.session, nc.id).id == finding.id
        with pytest.raises(Conflict, match="aceptado el informe"):
            report.close_audit(db.session, lead, audit_id)
        with pytest.raises(PermissionDenied):  # an auditee who leads no audited process
            report.accept_report(db.session, user(org.staff_id), audit_id, PASSWORD)
        report.accept_report(db.session, user(org.leader_id), audit_id, PASSWORD, "Recibido.")
        db.session.commit()
        with pytest.raises(Conflict):  # one acceptance per leader
            report.accept_report(db.session, user(org.leader_id), audit_id, PASSWORD)
        db.session.rollback()
        with pytest.raises(PermissionDenied):  # closing is the quality lead's
            report.close_audit(db.session, auditor, audit_id)
        report.close_audit(db.session, lead, audit_id)
        db.session.commit()
        assert db.session.get(Audit, audit_id).state == AuditState.CLOSED
        # The major finding asks for a follow-up audit until one is planned.
        flagged = programmes.coverage(db.session, lead, org.year).needs_follow_up
        assert [(p.code, a.id) for p, a in flagged] == [("AC", audit_id)]
        with pytest.raises(ValidationFailed):  # only an audit whose report is issued
            audits.plan_audit(
                db.session, lead, programme_id, a_plan(org, follow_up_of_id=audit_id + 99)
            )
        audits.plan_audit(db.session, lead, programme_id, a_plan(org, follow_up_of_id=audit_id))
        db.session.commit()
        assert programmes.coverage(db.session, lead, org.year).needs_follow_up == []
    actions = [e.action for e in trail_events(app) if e.object_type == "audit"]
    for expected in (
        "audit:plan",
        "audit:generate_checklist",
        "audit:notify_plan",
        "audit:start",
        "audit:answer",
        "audit:record_finding",
        "audit:write_report",
        "audit:issue_report",
        "audit:open_nonconformity",
        "audit:accept_report",
        "audit:close",
    ):
        assert expected in actions, expected
    assert [e.action for e in trail_events(app, "signature:refused")] == ["signature:refused"]


def test_reschedule_keeps_the_reason_and_sends_the_plan_back(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        lead = user(org.lead_id)
        audit = db.session.get(Audit, audit_id)
        WORKFLOW.apply(db.session, audit, AuditAction.NOTIFY_PLAN, user(org.auditor_id))
        first = audit.start_on
        with pytest.raises(ValidationFailed):
            audits.reschedule_audit(
                db.session, lead, audit_id, start_on=first, end_on=first, reason="x"
            )
        later = first.replace(day=1) if first.day > 1 else first.replace(day=2)
        with pytest.raises(ValidationFailed):  # a reason is required
            audits.reschedule_audit(
                db.session, lead, audit_id, start_on=later, end_on=later, reason=""
            )
        audits.reschedule_audit(
            db.session,
            lead,
            audit_id,
            start_on=later,
            end_on=later,
            reason="Auditado en vacaciones.",
        )
        db.session.commit()
        audit = db.session.get(Audit, audit_id)
        assert (audit.state, audit.start_on, audit.planned_month) == (
            AuditState.PLANNED,
            later,
            first.replace(day=1),
        )
        (move,) = audit.reschedules
        assert (move.from_start_on, move.to_start_on, move.reason) == (
            first,
            later,
            "Auditado en vacaciones.",
        )
    (event,) = trail_events(app, "audit:reschedule")
    assert event.reason == "Auditado en vacaciones."


@pytest.mark.sql
def test_a_lost_race_is_a_conflict_not_a_second_transition(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        stale = db.session.get(Audit, audit_id)
        WORKFLOW.apply(db.session, stale, AuditAction.NOTIFY_PLAN, user(org.auditor_id))
        db.session.commit()
        # What a second request, loaded before the first committed, still believes.
        set_committed_value(stale, "state", AuditState.PLANNED)
        with pytest.raises(Conflict):
            WORKFLOW.apply(db.session, stale, AuditAction.NOTIFY_PLAN, user(org.auditor_id))
    assert len(trail_events(app, "audit:notify_plan")) == 1


def test_cancel_needs_a_reason_and_keeps_the_audit(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        with pytest.raises(ValidationFailed):
            audits.cancel_audit(db.session, user(org.lead_id), audit_id, " ")
        audits.cancel_audit(db.session, user(org.lead_id), audit_id, "Proceso suprimido.")
        db.session.commit()
        audit = db.session.get(Audit, audit_id)
        assert (audit.state, audit.cancel_reason) == (AuditState.CANCELLED, "Proceso suprimido.")


@pytest.mark.sql
def test_the_database_refuses_deleting_an_audit(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(
                sa.delete(AuditTeamMember).where(AuditTeamMember.audit_id == audit_id)
            )
            db.session.execute(sa.delete(Audit).where(Audit.id == audit_id))
            db.session.flush()
        db.session.rollback()
        assert db.session.get(Audit, audit_id) is not None


@pytest.mark.sql
def test_the_database_keeps_an_issued_report_as_it_was(app, world):
    org, programme_id = world
    audit_id = planned_audit(app, org, programme_id)
    with app.app_context():
        auditor = user(org.auditor_id)
        checklist.generate_checklist(db.session, auditor, audit_id)
        WORKFLOW.apply(
            db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, auditor
        )
        audits.start_audit(db.session, auditor, audit_id)
        _answer_all(org, audit_id)
        report.save_report_text(
            db.session, auditor, audit_id, conclusions="Conforme.", strengths="", distribution=""
        )
        report.issue_report(db.session, auditor, audit_id, PASSWORD)
        db.session.commit()
        question_id = db.session.get(Audit, audit_id).questions[0].id
        for statement in (
            sa.update(Audit).where(Audit.id == audit_id).values(conclusions="Otra cosa."),
            sa.update(Audit).where(Audit.id == audit_id).values(clauses=["4.1"]),
            sa.update(ChecklistQuestion)
            .where(ChecklistQuestion.id == question_id)
            .values(answer="nonconforming"),
        ):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(statement)
            db.session.rollback()
        assert db.session.get(Audit, audit_id).conclusions == "Conforme."
