"""Builders for internal-audit tests: two processes, a quality lead, auditors, auditees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask

from qms.audits import programme as programmes
from qms.audits.services import AuditPlan, TeamSeat, plan_audit
from qms.core.db import db
from qms.documents import approval
from qms.processes.services import create_process
from tests.documents_fixtures import user
from tests.helpers import make_user


@dataclass
class AuditOrg:
    lead_id: int  # quality lead (ana)
    auditor_id: int  # jorge, auditor
    second_auditor_id: int  # lucia, auditor
    leader_id: int  # olga, leads AC
    member_id: int  # raul, member of AC
    staff_id: int  # sara, staff in AC
    outsider_id: int  # pedro, staff with nothing to do with audits
    ac_id: int
    gc_id: int
    year: int


def build_audit_org(app: Flask) -> AuditOrg:
    lead = make_user(
        app, "ana", ["quality_lead"], job_title="Líder de Calidad", email="ana@example.co"
    )
    auditor = make_user(
        app, "jorge", ["auditor"], job_title="Auditor interno", email="jorge@example.co"
    )
    second = make_user(app, "lucia", ["auditor"], job_title="Auditora interna")
    leader = make_user(
        app, "olga", ["process_owner"], job_title="Jefe de Atención", email="olga@example.co"
    )
    member = make_user(app, "raul", ["process_owner", "auditor"], job_title="Coordinador")
    staff = make_user(app, "sara", ["staff"], job_title="Asesora", email="sara@example.co")
    outsider = make_user(app, "pedro", ["staff"])
    with app.app_context():
        ac = create_process(
            db.session,
            None,
            code="AC",
            name="Atención al Cliente",
            type="core",
            leader_id=leader.id,
            member_ids=[member.id, staff.id],
            bypass_permission=True,
        )
        gc = create_process(
            db.session,
            None,
            code="GC",
            name="Gestión de Calidad",
            type="strategic",
            leader_id=lead.id,
            bypass_permission=True,
        )
        db.session.commit()
        year = approval.today().year
        return AuditOrg(
            lead.id,
            auditor.id,
            second.id,
            leader.id,
            member.id,
            staff.id,
            outsider.id,
            ac.id,
            gc.id,
            year,
        )


def programme_for(app: Flask, org: AuditOrg) -> int:
    with app.app_context():
        found = programmes.save_programme(
            db.session,
            user(org.lead_id),
            org.year,
            objectives="Verificar la conformidad del SGC con ISO 9001:2015.",
            scope="Todos los procesos del SGC.",
            criteria="ISO 9001:2015, documentos del SGC, Ley 1755 de 2015.",
            risks="Auditores insuficientes en diciembre.",
        )
        db.session.commit()
        return found.id


def a_plan(org: AuditOrg, **changes) -> AuditPlan:
    today = approval.today()
    values = {
        "title": "Auditoría a Atención al Cliente",
        "scope": "Atención de PQRS, canales presencial y telefónico.",
        "criteria": "ISO 9001:2015 8.2 y 9.1.2; AC-PR-01.",
        "process_ids": [org.ac_id],
        "start_on": today,
        "end_on": today,
        "lead_auditor": TeamSeat(org.auditor_id),
        "auditors": [TeamSeat(org.second_auditor_id)],
        "auditee_ids": [org.leader_id, org.staff_id],
        "clauses": ["8.2.1", "9.1.2"],
        "place": "Sede principal, sala 2",
    }
    values.update(changes)
    return AuditPlan(**values)


def planned_audit(app: Flask, org: AuditOrg, programme_id: int, **changes) -> int:
    with app.app_context():
        audit = plan_audit(db.session, user(org.lead_id), programme_id, a_plan(org, **changes))
        db.session.commit()
        return audit.id


def first_of_month(day: date) -> date:
    return day.replace(day=1)
