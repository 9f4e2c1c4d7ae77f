"""The demo's internal audits (clause 9.2), built through the services like a real team would:

- the year's programme (objectives, scope, criteria, risks, methods, resources);
- Atención al Cliente audited weeks ago: checklist answered, a major nonconformity (complaints
  answered after the legal term) opened in CAPA and being treated there, an observation, the
  report signed by the lead auditor and accepted by the process leader, the audit closed;
- Centro de Llamadas being audited now (checklist half answered, one observation);
- the other processes planned for the rest of the year, a follow-up of Atención al Cliente
  among them, and Gestión de Calidad audited by the auditor who does not belong to it (the
  quality lead, its leader and auditee, may not waive the other auditor's independence).

Idempotent: nothing is built when the year's programme exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from qms.audits import agenda, checklist, findings, report
from qms.audits import programme as programmes
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit, FindingGrade
from qms.audits.services import AuditPlan, TeamSeat
from qms.capa import services as capa
from qms.capa import treatment
from qms.documents import approval
from qms.processes.services import find_process
from qms.users.models import User
from qms.users.services import find_user

CRITERIA = (
    "NTC-ISO 9001:2015; documentos del SGC vigentes a la fecha de la auditoría; Ley 1755 de "
    "2015 (derecho de petición) y Ley 1581 de 2012 (protección de datos personales)."
)


def build_demo_audits(session: Session, logins: Iterable[tuple[str, str, str]]) -> list[str]:
    """Create the year's programme and its audits when there is none; return the audit codes."""
    passwords = {username: password for username, password, _role in logins}
    lead, leader = find_user(session, "calidad"), find_user(session, "lider")
    auditor, second = find_user(session, "auditor"), find_user(session, "auditora")
    staff, admin = find_user(session, "colaborador"), find_user(session, "admin")
    today = approval.today()
    if programmes.get_programme(session, today.year) is not None:
        return []
    if lead is None or leader is None or auditor is None or second is None:
        return []
    if staff is None or admin is None:
        return []
    if not (passwords.get("auditor") and passwords.get("lider")):
        return []
    programme = programmes.save_programme(
        session,
        lead,
        today.year,
        objectives="Determinar si el SGC es conforme con ISO 9001:2015 y con los requisitos de "
        "la organización, y si se implementa y mantiene eficazmente (numeral 9.2.1).",
        scope="Todos los procesos del mapa de procesos, en la sede principal y la sede Tunja.",
        criteria=CRITERIA,
        risks="Pocos auditores internos formados; temporada alta de PQRS en diciembre; "
        "procesos de apoyo con baja madurez documental.",
        methods="Auditoría in situ con entrevistas, observación y revisión de registros "
        "(ISO 19011:2018); muestreo de PQRS y de registros de atención.",
        resources="Dos auditores internos formados en ISO 19011; 16 horas por proceso; sala de "
        "reuniones; acceso de consulta al sistema de PQRS.",
    )
    people = {"lead": lead, "leader": leader, "auditor": auditor, "second": second}
    people |= {"staff": staff, "admin": admin}
    ids = {name: user.id for name, user in people.items()}
    closed = _closed_audit(session, programme.id, people, ids, passwords, today)
    running = _running_audit(session, programme.id, people, ids, today)
    planned = _planned_audits(session, programme.id, people, ids, closed, today)
    return [closed.code, running.code, *planned]


def _pid(session: Session, code: str) -> int:
    process = find_process(session, code)
    assert process is not None
    return process.id


def _within_year(day: date, today: date) -> date:
    return min(max(day, date(today.year, 1, 1)), date(today.year, 12, 31))


def _closed_audit(
    session: Session,
    programme_id: int,
    people: dict[str, User],
    ids: dict[str, int],
    passwords: dict[str, str],
    today: date,
) -> Audit:
    start = _within_year(today - timedelta(days=75), today)
    end = _within_year(start + timedelta(days=1), today)
    end = min(end, today)
    audit = audits.plan_audit(
        session,
        people["lead"],
        programme_id,
        AuditPlan(
            title="Auditoría interna a Atención al Cliente",
            objectives="Verificar la atención de PQRS y el control de los registros de atención.",
            scope="Atención de PQRS y afiliaciones en la sede principal y la sede Tunja.",
            criteria=CRITERIA,
            process_ids=[_pid(session, "AC")],
            start_on=start,
            end_on=end,
            lead_auditor=TeamSeat(ids["auditor"]),
            auditors=[TeamSeat(ids["second"])],
            auditee_ids=[ids["leader"], ids["staff"]],
            clauses=["7.5.3", "8.2.1", "9.1.2"],
            place="Sede principal, oficina de Atención al Cliente",
        ),
    )
    auditor = people["auditor"]
    agenda.add_default_agenda(session, auditor, audit.id)
    checklist.generate_checklist(session, auditor, audit.id)
    WORKFLOW.apply(session, audit, AuditAction.NOTIFY_PLAN, auditor)
    audits.start_audit(session, auditor, audit.id)
    late_question = None
    for question in audit.questions:
        if question.iso_clause == "8.2.1":
            late_question = question
            checklist.answer_question(
                session,
                auditor,
                question.id,
                answer="nonconforming",
                notes="De 20 quejas muestreadas, 4 se respondieron después de 15 días hábiles.",
            )
        else:
            checklist.answer_question(
                session, auditor, question.id, answer="conforming", notes="Conforme."
            )
    major = findings.record_finding(
        session,
        auditor,
        audit.id,
        grade=FindingGrade.MAJOR_NC,
        process_id=_pid(session, "AC"),
        iso_clause="8.2.1",
        criterion="Ley 1755 de 2015, art. 14: las quejas se responden en 15 días hábiles.",
        evidence="Muestra de 20 quejas de agosto: 4 respondidas entre 18 y 24 días hábiles "
        "(radicados 2026-088, 2026-101, 2026-118, 2026-131).",
        statement="Quejas respondidas después del término legal, sin alerta previa al responsable.",
        question_id=late_question.id if late_question else None,
    )
    findings.record_finding(
        session,
        auditor,
        audit.id,
        grade=FindingGrade.OBSERVATION,
        process_id=_pid(session, "AC"),
        iso_clause="7.5.3",
        criterion="CSC-AC-CR-01: los registros de atención se conservan dos años.",
        evidence="Los registros de la sede Tunja se archivan en carpetas sin rótulo.",
        statement="El archivo de registros de la sede Tunja no está rotulado.",
    )
    report.save_report_text(
        session,
        auditor,
        audit.id,
        conclusions="El proceso es conforme en el control de registros y el seguimiento de "
        "indicadores; no cumple el término legal de respuesta de quejas (NC mayor).",
        strengths="Registro de PQRS completo y trazable; personal que conoce la "
        "caracterización del proceso.",
        distribution="Gerencia general; líder de Atención al Cliente; Coordinación de Calidad.",
    )
    report.issue_report(session, auditor, audit.id, passwords["auditor"])
    nc = findings.open_nonconformity(session, auditor, major.id)
    report.accept_report(
        session, people["leader"], audit.id, passwords["lider"], "Recibido; plan de acción en CAPA."
    )
    report.close_audit(session, people["lead"], audit.id)
    _follow_up_in_capa(session, people, nc.id, today)
    return audit


def _follow_up_in_capa(session: Session, people: dict[str, User], nc_id: int, today: date) -> None:
    lead = people["lead"]
    capa.accept_nonconformity(session, lead, nc_id)
    capa.contain_nonconformity(
        session, lead, nc_id, "Se respondió a los cuatro quejosos con disculpas y solución."
    )
    treatment.analyse_nonconformity(
        session,
        lead,
        nc_id,
        action_needed=True,
        method="five_whys",
        data={
            "whys": [
                "Las quejas se respondieron tarde.",
                "El responsable no sabía que el término vencía.",
                "El sistema de PQRS no alerta antes del vencimiento.",
                "La alerta no se definió al implementar el sistema.",
            ],
            "root_causes": [3],
        },
    )
    treatment.add_action(
        session,
        lead,
        nc_id,
        kind="corrective",
        description="Configurar la alerta de vencimiento dos días hábiles antes del término.",
        owner_id=people["leader"].id,
        due_on=today + timedelta(days=20),
        deliverable="Alerta configurada y probada.",
    )
    treatment.approve_plan(
        session,
        lead,
        nc_id,
        check_due_on=today + timedelta(days=60),
        check_criterion="Ninguna queja respondida fuera de término en los dos meses siguientes.",
    )


def _running_audit(
    session: Session, programme_id: int, people: dict[str, User], ids: dict[str, int], today: date
) -> Audit:
    audit = audits.plan_audit(
        session,
        people["lead"],
        programme_id,
        AuditPlan(
            title="Auditoría interna al Centro de Llamadas",
            objectives="Verificar el seguimiento de cartera y el cumplimiento de los guiones.",
            scope="Gestión de cobro telefónico, turnos de la mañana y la tarde.",
            criteria=CRITERIA,
            process_ids=[_pid(session, "CL")],
            start_on=today,
            end_on=_within_year(today + timedelta(days=1), today),
            lead_auditor=TeamSeat(ids["second"]),
            auditors=[TeamSeat(ids["auditor"])],
            auditee_ids=[ids["leader"], ids["staff"]],
            clauses=["7.2", "8.5.1", "9.1.2"],
            place="Centro de Llamadas, piso 3",
        ),
    )
    second = people["second"]
    agenda.add_default_agenda(session, second, audit.id)
    checklist.generate_checklist(session, second, audit.id)
    WORKFLOW.apply(session, audit, AuditAction.NOTIFY_PLAN, second)
    audits.start_audit(session, second, audit.id)
    first = audit.questions[0]
    checklist.answer_question(
        session, second, first.id, answer="conforming", notes="Guiones vigentes en cada puesto."
    )
    findings.record_finding(
        session,
        second,
        audit.id,
        grade=FindingGrade.OPPORTUNITY,
        process_id=_pid(session, "CL"),
        iso_clause="7.2",
        criterion="Plan de formación del Centro de Llamadas.",
        evidence="Dos asesores nuevos sin la inducción de manejo de objeciones.",
        statement="Programar la inducción de objeciones en la primera semana de ingreso.",
    )
    return audit


PLANNED: tuple[tuple[str, str, list[str], int], ...] = (
    ("GCR", "Auditoría interna a Relaciones Corporativas", ["8.2.1", "9.1.2", "10.2"], 6),
    ("TH", "Auditoría interna a Talento Humano", ["7.1.6", "7.2", "7.3"], 9),
    ("TI", "Auditoría interna a Tecnología e Información", ["7.1.3", "7.5.3"], 12),
    ("DE", "Auditoría interna a Direccionamiento Estratégico", ["4.1", "5.2", "6.2", "9.3"], 15),
)


def _planned_audits(
    session: Session,
    programme_id: int,
    people: dict[str, User],
    ids: dict[str, int],
    closed: Audit,
    today: date,
) -> list[str]:
    codes = []
    lead = people["lead"]

    def plan(**values: Any) -> str:
        day = _within_year(today + timedelta(days=values.pop("days")), today)
        audit = audits.plan_audit(
            session,
            lead,
            programme_id,
            AuditPlan(
                scope=values.pop(
                    "scope", "Todas las actividades del proceso en la sede principal."
                ),
                criteria=CRITERIA,
                start_on=day,
                end_on=day,
                place="Sede principal",
                **values,
            ),
        )
        agenda.add_default_agenda(session, lead, audit.id)
        checklist.generate_checklist(session, lead, audit.id)
        return audit.code

    for code, title, clauses, days in PLANNED:
        process = find_process(session, code)
        assert process is not None
        auditees = [process.leader_id] if process.leader_id else []
        codes.append(
            plan(
                title=title,
                process_ids=[process.id],
                clauses=clauses,
                days=days,
                lead_auditor=TeamSeat(ids["auditor"]),
                auditee_ids=auditees,
            )
        )
    codes.append(
        plan(
            title="Auditoría de seguimiento a Atención al Cliente",
            objectives="Verificar la eficacia de la acción sobre el término de respuesta de "
            "quejas (NC mayor de la auditoría anterior).",
            scope="Quejas recibidas desde la acción correctiva.",
            process_ids=[_pid(session, "AC")],
            clauses=["8.2.1", "10.2"],
            days=18,
            lead_auditor=TeamSeat(ids["second"]),
            auditee_ids=[ids["leader"]],
            follow_up_of_id=closed.id,
        )
    )
    codes.append(
        plan(
            title="Auditoría interna a Gestión de Calidad",
            process_ids=[_pid(session, "GC")],
            clauses=["7.5", "9.1.3", "9.2", "10.2", "10.3"],
            days=21,
            lead_auditor=TeamSeat(ids["second"]),
            auditee_ids=[ids["lead"]],
        )
    )
    return codes
