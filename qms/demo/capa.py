"""The demo's clause-10.2 story, built through the services like a real team would:

- a complaint received at customer service (PQRS), routed to Relaciones Corporativas and
  answered, raises a nonconformity; 5 whys find that nobody is warned before a term expires;
  the corrective action changes the procedure PD-GCR-MR-002 (a change request, a new version
  in force) and is done; the effectiveness check is pending;
- an internal-audit finding on Atención al Cliente, corrected on the spot, closed effective;
- an indicator below target at the Centro de Llamadas with an overdue action.

Idempotent: nothing is built when any nonconformity exists.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from qms.capa import pqrs, services, treatment
from qms.capa.models import Nonconformity
from qms.documents import approval, authoring
from qms.documents.change_requests import accept_change_request, file_change_request
from qms.documents.models import Document, DocumentVersion
from qms.processes.services import find_process
from qms.users.models import User
from qms.users.services import find_user

PROCEDURE = "PD-GCR-MR-002"
ALERT = " El tablero de Almera alerta al responsable dos días hábiles antes del vencimiento."


def build_demo_capa(session: Session, logins: Iterable[tuple[str, str, str]]) -> list[str]:
    """Create the three nonconformities when none exist; return their codes. Flushes only."""
    passwords = {username: password for username, password, _role in logins}
    lead, leader = find_user(session, "calidad"), find_user(session, "lider")
    staff = find_user(session, "colaborador")
    procedure = session.scalar(sa.select(Document).where(Document.code == PROCEDURE))
    if session.scalar(sa.select(Nonconformity.id).limit(1)) is not None:
        return []
    if lead is None or leader is None or staff is None or procedure is None:
        return []
    if not passwords.get("calidad"):
        return []
    if find_user(session, "gerente") is None or not passwords.get("gerente"):
        return []
    today = approval.today()
    codes = [
        _complaint(session, lead, leader, staff, procedure, passwords, today),
        _audit_finding(session, lead, passwords["calidad"], today),
        _overdue(session, lead, leader, today),
    ]
    return codes


def _process_id(session: Session, code: str) -> int:
    process = find_process(session, code)
    assert process is not None
    return process.id


def _complaint(
    session: Session,
    lead: User,
    leader: User,
    staff: User,
    procedure: Document,
    passwords: dict[str, str],
    today: date,
) -> str:
    request = pqrs.register_pqrs(
        session,
        staff,
        kind="complaint",
        channel="email",
        customer_name="Gloria Inés Arango",
        customer_contact="gloria.arango@example.co",
        text="Radiqué un reclamo por el subsidio de vivienda hace un mes y nadie me responde.",
        received_on=today - timedelta(days=40),
    )
    pqrs.route_pqrs(session, lead, request.id, process_id=_process_id(session, "GCR"))
    pqrs.answer_pqrs(
        session,
        leader,
        request.id,
        answer="Se respondió con el estado del trámite y se pidió excusa por la demora.",
        answered_on=today - timedelta(days=12),
    )
    pqrs.close_pqrs(session, lead, request.id, satisfaction="not_satisfied")
    nc = pqrs.raise_nonconformity(session, lead, request.id)
    services.accept_nonconformity(session, lead, nc.id)
    services.contain_nonconformity(
        session, leader, nc.id, "Se llamó a la afiliada y se le entregó la respuesta el mismo día."
    )
    treatment.analyse_nonconformity(
        session,
        leader,
        nc.id,
        action_needed=True,
        method="five_whys",
        data={
            "whys": [
                "La respuesta se dio después del término legal de 15 días hábiles.",
                "La auxiliar no vio que el término estaba por vencer.",
                "El seguimiento se hace a mano, revisando la bandeja de correo.",
                "El procedimiento no define ninguna alerta de vencimiento.",
            ],
            "root_causes": [3],
        },
    )
    request_ = file_change_request(
        session,
        leader,
        "modify",
        "Definir en el procedimiento la alerta de vencimiento de términos de PQRS.",
        procedure.id,
    )
    action = treatment.add_action(
        session,
        leader,
        nc.id,
        kind="corrective",
        description="Incluir en la actividad 6 la alerta de vencimiento del tablero de Almera.",
        owner_id=leader.id,
        due_on=today + timedelta(days=15),
        deliverable="Versión 2 del procedimiento PD-GCR-MR-002",
        change_request_id=request_.id,
    )
    treatment.approve_plan(
        session,
        lead,
        nc.id,
        check_due_on=today + timedelta(days=60),
        check_criterion="Ninguna PQRS respondida fuera de término en los dos meses siguientes.",
    )
    accept_change_request(session, lead, request_.id)
    _new_procedure_version(session, leader, lead, request_.id, passwords)
    treatment.update_action(
        session, leader, action.id, evidence="Versión 2 del procedimiento en vigor.", done=True
    )
    return nc.code


def _new_procedure_version(
    session: Session, leader: User, lead: User, request_id: int, passwords: dict[str, str]
) -> None:
    draft = session.scalar(
        sa.select(DocumentVersion).where(DocumentVersion.change_request_id == request_id)
    )
    assert draft is not None  # accepting the change request opened it
    content: list[dict[str, Any]] = copy.deepcopy(draft.content)
    for block in content:
        for step in block.get("steps") or []:
            if step.get("id") == "6":
                step["how"] = (step.get("how") or "") + ALERT
    authoring.update_draft(
        session,
        leader,
        draft.id,
        content=content,
        change_summary="Se agrega la alerta de vencimiento de términos (NC de PQRS).",
    )
    approval.submit_version(session, leader, draft.id, passwords["lider"])
    approval.review_version(session, lead, draft.id, passwords["calidad"])
    manager = find_user(session, "gerente")  # top management approves; the reviewer may not
    approval.approve_version(session, manager, draft.id, passwords["gerente"])


def _audit_finding(session: Session, lead: User, password: str, today: date) -> str:
    nc = services.report_nonconformity(
        session,
        lead,
        source="internal_audit",
        process_id=_process_id(session, "AC"),
        title="Formato de afiliación en uso sin código ni versión",
        description="En la sede Tunja se usaba una fotocopia del formato de afiliación sin "
        "código ni versión (auditoría interna, hallazgo 3).",
        detected_on=today - timedelta(days=70),
        detected_by="Jorge Iván Cárdenas Salazar (auditor interno)",
        iso_clause="7.5.3",
    )
    services.accept_nonconformity(session, lead, nc.id)
    services.contain_nonconformity(
        session, lead, nc.id, "Se retiraron las fotocopias y se entregó la copia controlada."
    )
    treatment.analyse_nonconformity(
        session,
        lead,
        nc.id,
        action_needed=False,
        justification="Caso aislado: las demás sedes usan la copia controlada vigente.",
    )
    treatment.approve_plan(
        session,
        lead,
        nc.id,
        check_due_on=today - timedelta(days=10),
        check_criterion="En la visita de seguimiento no hay copias no controladas en uso.",
    )
    treatment.sign_effectiveness(
        session,
        lead,
        nc.id,
        result="effective",
        evidence="Visita de seguimiento: solo copias controladas en la sede Tunja.",
        password=password,
    )
    treatment.close_nonconformity(session, lead, nc.id)
    return nc.code


def _overdue(session: Session, lead: User, leader: User, today: date) -> str:
    nc = services.report_nonconformity(
        session,
        leader,
        source="process",
        process_id=_process_id(session, "CL"),
        title="Cumplimiento de llamadas por debajo de la meta",
        description="El indicador de cumplimiento de llamadas fue 78 % (meta 90 %) en octubre.",
        detected_on=today - timedelta(days=30),
    )
    services.accept_nonconformity(session, lead, nc.id)
    services.contain_nonconformity(session, leader, nc.id, "Turnos extra la última semana.")
    treatment.analyse_nonconformity(
        session,
        leader,
        nc.id,
        action_needed=True,
        method="ishikawa",
        data={
            "causes": {
                "manpower": ["Dos vacantes sin cubrir", "Rotación alta"],
                "machinery": ["Caídas de la planta telefónica"],
                "method": ["Sin priorización de la cartera por vencer"],
            },
            "root_causes": [["manpower", 0]],
        },
    )
    treatment.add_action(
        session,
        leader,
        nc.id,
        kind="corrective",
        description="Cubrir las dos vacantes de asesores del centro de llamadas.",
        owner_id=leader.id,
        due_on=today - timedelta(days=5),
    )
    treatment.approve_plan(
        session,
        lead,
        nc.id,
        check_due_on=today + timedelta(days=45),
        check_criterion="Cumplimiento de llamadas ≥ 90 % dos meses seguidos.",
    )
    return nc.code
