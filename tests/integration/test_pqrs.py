"""PQRS intake: legal terms in business days, routing, one extension, answering on time, and a
complaint that becomes a nonconformity linked both ways."""

from __future__ import annotations

from datetime import date

import pytest

from qms.capa import pqrs
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.documents_fixtures import build_org, user
from tests.helpers import trail_events

# Received Tuesday 3 November 2026: 15 business days over the Monday 16 November holiday
# (Independencia de Cartagena, moved from the 11th) → 25 November.
RECEIVED = date(2026, 11, 3)


def _register(org, kind="complaint"):
    return pqrs.register_pqrs(
        db.session,
        user(org.staff_id),
        kind=kind,
        channel="email",
        customer_name="María Pérez",
        customer_contact="maria@example.co",
        text="Mi queja del subsidio no fue respondida.",
        received_on=RECEIVED,
    )


def test_a_complaint_is_routed_extended_answered_and_closed_within_its_term(app):
    org = build_org(app)
    with app.app_context():
        request = _register(org)
        assert (request.code, request.due_on) == ("PQRS-2026-0001", date(2026, 11, 25))
        lead, leader = user(org.approver_id), user(org.owner_id)
        with pytest.raises(PermissionDenied):
            pqrs.route_pqrs(db.session, user(org.staff_id), request.id, process_id=org.process_id)
        # Reclassified as a request for documents: 10 business days instead of 15.
        pqrs.route_pqrs(db.session, lead, request.id, process_id=org.process_id, kind="documents")
        assert request.due_on == date(2026, 11, 18)
        with pytest.raises(ValidationFailed, match="notificarse"):
            pqrs.extend_pqrs(
                db.session,
                lead,
                request.id,
                notified_on=date(2026, 11, 19),
                extra_days=5,
                reason="Falta información",
            )
        pqrs.extend_pqrs(
            db.session,
            lead,
            request.id,
            notified_on=date(2026, 11, 18),
            extra_days=5,
            reason="Falta información del servicio",
        )
        assert request.term_due_on == date(2026, 11, 25)
        with pytest.raises(Conflict, match="una vez"):
            pqrs.extend_pqrs(
                db.session,
                lead,
                request.id,
                notified_on=date(2026, 11, 18),
                extra_days=1,
                reason="otra",
            )
        # The leader of the process it was routed to answers it.
        pqrs.answer_pqrs(
            db.session,
            leader,
            request.id,
            answer="Se envió el certificado.",
            answered_on=date(2026, 11, 20),
        )
        pqrs.close_pqrs(db.session, lead, request.id, satisfaction="satisfied")
        db.session.commit()
        assert request.state == "closed" and request.satisfaction == "satisfied"
    [answered] = trail_events(app, "pqrs:answer")
    assert '"on_time":true' in answered.after


def test_a_complaint_raises_one_nonconformity_linked_both_ways(app):
    org = build_org(app)
    with app.app_context():
        request = _register(org)
        lead = user(org.approver_id)
        with pytest.raises(ValidationFailed, match="proceso"):
            pqrs.raise_nonconformity(db.session, lead, request.id)
        pqrs.route_pqrs(db.session, lead, request.id, process_id=org.process_id)
        nc = pqrs.raise_nonconformity(db.session, lead, request.id)
        db.session.commit()
        assert (nc.source, nc.process_id, nc.state) == ("pqrs", org.process_id, "reported")
        assert request.nonconformity_id == nc.id
        assert db.session.get(Nonconformity, nc.id).pqrs[0].code == request.code
        with pytest.raises(Conflict, match=nc.code):
            pqrs.raise_nonconformity(db.session, lead, request.id)
        suggestion = _register(org, kind="suggestion")
        pqrs.route_pqrs(db.session, lead, suggestion.id, process_id=org.process_id)
        with pytest.raises(ValidationFailed, match="queja o un reclamo"):
            pqrs.raise_nonconformity(db.session, lead, suggestion.id)
    assert len(trail_events(app, "pqrs:raise_nonconformity")) == 1


@pytest.mark.sql
def test_who_sees_a_request(app):
    org = build_org(app)
    with app.app_context():
        request = _register(org)
        assert pqrs.get_pqrs(db.session, user(org.staff_id), request.id).id == request.id
        with pytest.raises(NotFound):
            pqrs.get_pqrs(db.session, user(org.owner_id), request.id)  # not routed to AC yet
        pqrs.route_pqrs(db.session, user(org.approver_id), request.id, process_id=org.process_id)
        assert [r.code for r in pqrs.list_pqrs(db.session, user(org.owner_id))] == [request.code]
        assert pqrs.list_pqrs(db.session, user(org.reviewer_id)) == []
