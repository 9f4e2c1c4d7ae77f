"""Clause 10.2 through the services: report → contain → analyse → act (a document change that
must be in force) → signed effectiveness → closed; every early close refused; not effective
reopens; nothing is edited after closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from qms.capa import services, treatment
from qms.capa.models import EffectivenessCheck, Nonconformity, NonconformityNote
from qms.core.db import db
from qms.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qms.core.localtime import local_today
from qms.documents import approval
from qms.documents.authoring import update_draft
from qms.documents.change_requests import accept_change_request, file_change_request
from qms.documents.models import DocumentVersion
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, trail_events

TODAY = local_today()


def _approve(org, version_id):
    approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
    approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
    approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)


@pytest.fixture
def world(app):
    org = build_org(app)
    document_id, version_id = new_document(app, org, title="Atención de PQRS")
    with app.app_context():
        _approve(org, version_id)
        db.session.commit()
    return org, document_id


def _reported(org, **extra) -> Nonconformity:
    return services.report_nonconformity(
        db.session,
        user(org.staff_id),
        source="pqrs",
        process_id=org.process_id,
        title="Queja respondida tarde",
        description="La queja 2026-118 se respondió en 22 días hábiles.",
        detected_on=TODAY,
        iso_clause="8.2.1",
        **extra,
    )


def _to_analysed(org, nc_id, *, action_needed=True):
    lead = user(org.approver_id)
    services.accept_nonconformity(db.session, lead, nc_id)
    services.contain_nonconformity(db.session, lead, nc_id, "Se respondió al cliente el 3/11.")
    treatment.analyse_nonconformity(
        db.session,
        user(org.owner_id),  # the process leader treats the nonconformities of the process
        nc_id,
        action_needed=action_needed,
        justification="" if action_needed else "Caso aislado, sin recurrencia.",
        method="five_whys",
        data={"whys": ["No se vio el vencimiento", "El tablero no alerta", "Sin regla"]},
    )


def _sign(org, nc_id, result):
    return treatment.sign_effectiveness(
        db.session,
        user(org.approver_id),
        nc_id,
        result=result,
        evidence="Muestreo de 30 PQRS de diciembre.",
        password=PASSWORD,
    )


def test_the_loop_closes_only_when_the_new_version_is_in_force_and_the_check_says_so(app, world):
    org, document_id = world
    with app.app_context():
        nc = _reported(org)
        assert nc.code == f"NC-{TODAY.year}-0001" and nc.state == "reported"
        _to_analysed(org, nc.id)
        lead, owner = user(org.approver_id), user(org.owner_id)
        request = file_change_request(
            db.session, owner, "modify", "Agregar la alerta de vencimiento", document_id
        )
        action = treatment.add_action(
            db.session,
            owner,
            nc.id,
            kind="corrective",
            description="Incluir en el procedimiento la alerta de vencimiento",
            owner_id=owner.id,
            due_on=TODAY + timedelta(days=20),
            change_request_id=request.id,
        )
        with pytest.raises(ValidationFailed, match="juzgará la eficacia"):
            treatment.approve_plan(db.session, lead, nc.id, check_due_on=TODAY, check_criterion="")
        treatment.approve_plan(
            db.session,
            lead,
            nc.id,
            check_due_on=TODAY + timedelta(days=60),
            check_criterion="Ninguna PQRS fuera de término en 2 meses",
        )
        # Gate 1: an open action.
        with pytest.raises(Conflict, match="abiertas"):
            treatment.close_nonconformity(db.session, lead, nc.id)
        # The action cannot complete while the document change is not in force.
        with pytest.raises(Conflict, match="no está vigente"):
            treatment.update_action(db.session, owner, action.id, evidence="Borrador", done=True)
        accept_change_request(db.session, lead, request.id)
        draft = db.session.scalar(
            sa.select(DocumentVersion).where(DocumentVersion.change_request_id == request.id)
        )
        update_draft(
            db.session,
            owner,
            draft.id,
            content=[{"kind": "text", "text": "Alerta 2 días antes del vencimiento."}],
            change_summary="Alerta de vencimiento de PQRS (NC).",
        )
        _approve(org, draft.id)
        assert db.session.get(DocumentVersion, draft.id).state == "effective"
        treatment.update_action(db.session, owner, action.id, evidence="Versión 2", done=True)
        db.session.refresh(nc)
        assert nc.state == "awaiting_check"
        # Gate 2: no check signed yet.
        with pytest.raises(Conflict, match="aún no se ha firmado"):
            treatment.close_nonconformity(db.session, lead, nc.id)
        with pytest.raises(ValidationFailed, match=r"[Cc]ontraseña"):
            treatment.sign_effectiveness(
                db.session, lead, nc.id, result="effective", evidence="x", password="mala"
            )
        _sign(org, nc.id, "effective")
        treatment.close_nonconformity(db.session, lead, nc.id)
        db.session.commit()
        assert db.session.get(Nonconformity, nc.id).state == "closed"
    actions = [e.action for e in trail_events(app) if e.object_type == "nonconformity"]
    for expected in ("report", "accept", "contain", "analyse", "approve_plan", "close"):
        assert f"nonconformity:{expected}" in actions
    assert "signature:refused" in actions and "effectiveness:sign" in actions


def test_not_effective_reopens_for_a_new_round_and_blocks_closing(app, world):
    org, _ = world
    with app.app_context():
        nc = _reported(org)
        _to_analysed(org, nc.id, action_needed=False)
        lead = user(org.approver_id)
        treatment.approve_plan(
            db.session, lead, nc.id, check_due_on=TODAY, check_criterion="Sin repetición"
        )
        db.session.refresh(nc)
        assert nc.state == "awaiting_check"  # no action needed: straight to the check
        _sign(org, nc.id, "not_effective")
        db.session.refresh(nc)
        assert (nc.state, nc.round) == ("contained", 2)
        # Gate 3: the latest check said not effective; the nonconformity is back in analysis.
        with pytest.raises(Conflict):
            treatment.close_nonconformity(db.session, lead, nc.id)
        assert nc.current_analysis() is None and len(nc.analyses) == 1  # round 1 kept


@pytest.mark.sql
def test_a_closed_nonconformity_takes_notes_never_edits(app, world):
    org, _ = world
    with app.app_context():
        nc = _reported(org)
        _to_analysed(org, nc.id, action_needed=False)
        lead = user(org.approver_id)
        treatment.approve_plan(db.session, lead, nc.id, check_due_on=TODAY, check_criterion="Ok")
        _sign(org, nc.id, "effective")
        treatment.close_nonconformity(db.session, lead, nc.id)
        with pytest.raises(Conflict):
            services.contain_nonconformity(db.session, lead, nc.id, "otra")
        note = treatment.append_note(
            db.session, lead, nc.id, text="El número de queja era 2026-181.", reason="Digitación"
        )
        db.session.commit()
        assert db.session.scalar(sa.select(NonconformityNote.text)) == note.text
        # The database itself refuses to edit a signed check or delete a nonconformity.
        for statement in (
            sa.update(EffectivenessCheck).values(result="not_effective"),
            sa.delete(Nonconformity),
        ):
            with pytest.raises(sa.exc.DatabaseError):
                db.session.execute(statement)
            db.session.rollback()


@pytest.mark.sql
def test_who_may_do_what(app, world):
    org, _ = world
    with app.app_context():
        nc = _reported(org)
        staff, reviewer = user(org.staff_id), user(org.reviewer_id)
        # The reporter sees it; another process owner (not the leader) does not.
        assert services.get_nonconformity(db.session, staff, nc.id).id == nc.id
        with pytest.raises(NotFound):
            services.get_nonconformity(db.session, reviewer, nc.id)
        with pytest.raises(PermissionDenied):
            services.accept_nonconformity(db.session, staff, nc.id)
        services.accept_nonconformity(db.session, user(org.owner_id), nc.id)  # process leader
        with pytest.raises(ValidationFailed, match="futuro"):
            services.report_nonconformity(
                db.session,
                staff,
                source="pqrs",
                process_id=org.process_id,
                title="t",
                description="d",
                detected_on=TODAY + timedelta(days=1),
            )
        with pytest.raises(ValidationFailed, match=r"11\.9 no es un numeral"):
            services.report_nonconformity(
                db.session,
                staff,
                source="other",
                process_id=org.process_id,
                title="t",
                description="d",
                detected_on=date(2026, 1, 5),
                iso_clause="11.9",
            )


def test_discarding_needs_a_reason_and_keeps_the_record(app, world):
    org, _ = world
    with app.app_context():
        nc = _reported(org)
        lead = user(org.approver_id)
        with pytest.raises(ValidationFailed):
            services.discard_nonconformity(db.session, lead, nc.id, "  ")
        services.discard_nonconformity(db.session, lead, nc.id, "Duplicada de NC-2026-0007")
        db.session.commit()
        kept = db.session.get(Nonconformity, nc.id)
        assert (kept.state, kept.decision_reason) == ("discarded", "Duplicada de NC-2026-0007")


@pytest.mark.sql
def test_similar_nonconformities_are_offered_to_the_analyst(app, world):
    org, _ = world
    with app.app_context():
        first = _reported(org)
        unrelated = services.report_nonconformity(
            db.session,
            user(org.staff_id),
            source="other",
            process_id=org.process_id,
            title="Extintor vencido",
            description="d",
            detected_on=TODAY,
        )
        second = _reported(org)
        similar = services.similar_nonconformities(db.session, user(org.approver_id), second)
        assert [(nc.code, reasons) for nc, reasons in similar] == [
            (first.code, ["process", "clause", "words"]),
            (unrelated.code, ["process"]),
        ]
