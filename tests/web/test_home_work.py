"""Mi trabajo beyond documents: CAPA actions and steps, PQRS with their legal term, audits,
controlled-copy recalls — each for the right person and not for another role — ordered by
urgency, and the bell counting the same items (documents: tests/web/test_my_work.py)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask_babel import gettext as _

from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit
from qms.capa import pqrs, treatment
from qms.capa import services as capa
from qms.core.db import db
from qms.documents import approval
from qms.home.gather import Work, gather
from qms.home.work import WorkItem
from qms.printing.copies import issue_controlled_copy
from tests.audits_fixtures import AuditOrg, build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import Org, new_document, through_approval, user
from tests.helpers import PASSWORD, csrf_token, login

TODAY = approval.today()


@pytest.fixture
def org(app: Flask) -> AuditOrg:
    """ana quality lead (leads GC), olga leads AC, raul process owner in AC, jorge and lucia
    auditors, sara staff in AC, pedro staff with nothing to do."""
    return build_audit_org(app)


def _work(app: Flask, user_id: int) -> Work:
    with app.test_request_context():
        return gather(db.session, user(user_id), TODAY)


def _card(work: Work, card_id: str) -> list[WorkItem] | None:
    """The card's items; None when the card is not shown at all."""
    found = [card for card in work.cards if card.id == card_id]
    return found[0].items if found else None


def _nc_with_actions(app: Flask, org: AuditOrg, dues: list[date]) -> str:
    """A nonconformity of AC with its plan approved, one action of olga's per due date."""
    with app.app_context():
        lead, leader = user(org.lead_id), user(org.leader_id)
        nc = capa.report_nonconformity(
            db.session,
            leader,
            source="process",
            process_id=org.ac_id,
            title="Llamadas por debajo de la meta",
            description="El cumplimiento fue 78 % (meta 90 %).",
            detected_on=TODAY - timedelta(days=20),
        )
        capa.accept_nonconformity(db.session, lead, nc.id)
        capa.contain_nonconformity(db.session, leader, nc.id, "Turnos extra.")
        treatment.analyse_nonconformity(
            db.session,
            leader,
            nc.id,
            action_needed=True,
            method="five_whys",
            data={"whys": ["Faltan dos asesores."], "root_causes": [0]},
        )
        for n, due_on in enumerate(dues, 1):
            treatment.add_action(
                db.session,
                leader,
                nc.id,
                kind="corrective",
                description=f"Acción {n}",
                owner_id=org.leader_id,
                due_on=due_on,
            )
        treatment.approve_plan(
            db.session, lead, nc.id, check_due_on=TODAY + timedelta(days=60), check_criterion="90 %"
        )
        db.session.commit()
        return nc.code


def test_capa_actions_to_their_owner_overdue_first(app, org):
    code = _nc_with_actions(app, org, [TODAY + timedelta(days=10), TODAY - timedelta(days=3)])
    mine = _card(_work(app, org.leader_id), "capa")
    assert mine is not None
    assert [(i.title, i.overdue) for i in mine] == [("Acción 2", True), ("Acción 1", False)]
    assert all(i.code == code and i.url == "/nonconformities/1" for i in mine)
    # The quality lead who approved the plan follows the overdue one up, not the other.
    lead = _card(_work(app, org.lead_id), "capa")
    assert lead is not None and [i.title for i in lead] == ["Acción 2"] and lead[0].note
    # A member of the process and a stranger to it: the card applies, with nothing on it.
    assert _card(_work(app, org.member_id), "capa") == []
    assert _card(_work(app, org.outsider_id), "capa") == []


def test_a_reported_nonconformity_waits_for_its_process_leader(app, org):
    with app.app_context():
        capa.report_nonconformity(
            db.session,
            user(org.staff_id),
            source="process",
            process_id=org.ac_id,
            title="Formato sin código",
            description="Se usa una fotocopia sin código ni versión.",
            detected_on=TODAY,
        )
        db.session.commit()
    for allowed in (org.leader_id, org.lead_id):
        assert [i.title for i in _card(_work(app, allowed), "capa") or []] == ["Formato sin código"]
    for denied in (org.member_id, org.staff_id, org.auditor_id):
        assert _card(_work(app, denied), "capa") == []


def _pqrs(app: Flask, org: AuditOrg, received_on: date, *, route: bool) -> str:
    with app.app_context():
        request = pqrs.register_pqrs(
            db.session,
            user(org.staff_id),
            kind="complaint",
            channel="email",
            customer_name="Gloria Inés Arango",
            text="Nadie me responde.",
            received_on=received_on,
        )
        if route:
            pqrs.route_pqrs(db.session, user(org.lead_id), request.id, process_id=org.ac_id)
        db.session.commit()
        return request.code


def test_pqrs_routed_to_a_process_wait_for_its_leader_with_the_legal_term(app, org):
    late = _pqrs(app, org, TODAY - timedelta(days=40), route=True)
    on_time = _pqrs(app, org, TODAY, route=True)
    unrouted = _pqrs(app, org, TODAY, route=False)
    leader = _card(_work(app, org.leader_id), "pqrs")
    assert leader is not None
    assert [(i.code, i.overdue) for i in leader] == [(late, True), (on_time, False)]
    with app.test_request_context():
        assert leader[0].badge == _("Outside the legal term")
    assert leader[1].due_on is not None and leader[1].due_on > TODAY
    # The quality lead routes what is unrouted; answering is the process leader's.
    assert [i.code for i in _card(_work(app, org.lead_id), "pqrs") or []] == [unrouted]
    # Staff register PQRS but never answer them; auditors read them all, nor do they answer.
    assert _card(_work(app, org.staff_id), "pqrs") is None
    assert _card(_work(app, org.auditor_id), "pqrs") is None


def test_audits_for_the_team_and_the_audited_not_for_others(app, org):
    programme = programme_for(app, org)
    # Both within the programme's year, whatever today is.
    soon = planned_audit(app, org, programme, start_on=TODAY, end_on=TODAY)
    day = min(TODAY + timedelta(days=20), date(TODAY.year, 12, 31))
    later = planned_audit(
        app,
        org,
        programme,
        title="Auditoría a Gestión de Calidad",
        process_ids=[org.gc_id],
        auditee_ids=[org.lead_id],
        start_on=day,
        end_on=day,
    )
    with app.app_context():
        codes = {a.id: a.code for a in db.session.query(Audit)}
    lead_auditor = _card(_work(app, org.auditor_id), "audits") or []
    assert [i.code for i in lead_auditor] == [codes[soon], codes[later]]
    assert [i.code for i in _card(_work(app, org.leader_id), "audits") or []] == [codes[soon]]
    assert [i.code for i in _card(_work(app, org.staff_id), "audits") or []] == [codes[soon]]
    # The quality lead sends the plan of the audit about to start and is audited in GC.
    assert {i.code for i in _card(_work(app, org.lead_id), "audits") or []} == set(codes.values())
    assert _card(_work(app, org.outsider_id), "audits") == []
    # Once the plan is sent the lead auditor conducts it; no longer a plan to send.
    with app.app_context():
        WORKFLOW.apply(
            db.session, db.session.get(Audit, soon), AuditAction.NOTIFY_PLAN, user(org.auditor_id)
        )
        db.session.commit()
    with app.test_request_context():
        kinds = {i.code: i.kind for i in _card(_work(app, org.auditor_id), "audits") or []}
        assert kinds == {codes[soon]: _("Audit to conduct"), codes[later]: _("Send the plan")}


def test_recalled_copies_for_who_acknowledges_and_who_holds_them(app, org):
    docs = Org(org.leader_id, org.member_id, org.lead_id, org.staff_id, org.ac_id)
    document_id, version_id = new_document(app, docs)
    through_approval(app, docs, version_id)
    with app.app_context():
        issue_controlled_copy(
            db.session, user(org.lead_id), version_id, "Sara, ventanilla 2", org.staff_id
        )
        db.session.commit()
    assert _card(_work(app, org.staff_id), "copies") is None  # in force: nothing to hand back
    with app.app_context():
        approval.withdraw_document(
            db.session, user(org.lead_id), document_id, PASSWORD, "Ya no se usa."
        )
        db.session.commit()
    assert len(_card(_work(app, org.lead_id), "copies") or []) == 1
    assert len(_card(_work(app, org.staff_id), "copies") or []) == 1
    assert _card(_work(app, org.outsider_id), "copies") is None
    assert _card(_work(app, org.leader_id), "copies") is None


def test_home_and_bell_show_the_same_work(app, org):
    _nc_with_actions(app, org, [TODAY - timedelta(days=3)])
    client = app.test_client()
    assert login(client, "olga").status_code == 302
    html = client.get("/dashboard").get_data(as_text=True)
    cards = re.findall(r'<section class="card" aria-labelledby="[^"]+" id="([^"]+)"', html)
    assert cards[0] == "capa" and "pqrs" in cards and "copies" not in cards
    assert 'class="overdue"' in html and "Acción 1" in html
    bell = re.search(r'class="bell pending-work"[^>]*>.*?</a>', html, re.S)
    assert bell is not None and '<span class="badge">1</span>' in bell.group(0)
    listed = client.get("/notifications").get_data(as_text=True)
    assert "Acción 1" in listed and 'href="/dashboard#my-work"' in listed
    # Staff: no PQRS, drafts or reviews cards; the CAPA card says there is nothing to do.
    staff = app.test_client()
    assert login(staff, "pedro").status_code == 302
    html = staff.get("/dashboard").get_data(as_text=True)
    cards = re.findall(r'<section class="card" aria-labelledby="[^"]+" id="([^"]+)"', html)
    assert set(cards) == {"to-sign", "capa", "audits"}
    bell = re.search(r'class="bell pending-work"[^>]*>.*?</a>', html, re.S)
    assert bell is not None and "badge" not in bell.group(0).split(">", 1)[1]


def _badge(html: str) -> str:
    bell = re.search(r'class="bell pending-work"[^>]*>.*?</a>', html, re.S)
    assert bell is not None
    number = re.search(r'<span class="badge">(\d+)</span>', bell.group(0))
    return number.group(1) if number else "0"


def test_the_badge_reuses_a_recent_count_until_the_person_writes(app, org):
    """Every page shows the badge; gathering the work on each would cost tens of queries."""
    _nc_with_actions(app, org, [TODAY - timedelta(days=3)])
    client = app.test_client()
    assert login(client, "olga").status_code == 302
    assert _badge(client.get("/documents/").get_data(as_text=True)) == "1"
    _nc_with_actions(app, org, [TODAY - timedelta(days=1)])  # handed to her by someone else
    assert _badge(client.get("/documents/").get_data(as_text=True)) == "1"  # within the minute
    assert _badge(client.get("/dashboard").get_data(as_text=True)) == "2"  # the home gathers
    token = csrf_token(client, "/notifications")
    _nc_with_actions(app, org, [TODAY])
    assert _badge(client.get("/documents/").get_data(as_text=True)) == "2"
    # Her own write (here: her digest choice) drops the recent count.
    client.post("/notifications/settings", data={"csrf_token": token})
    assert _badge(client.get("/documents/").get_data(as_text=True)) == "3"
