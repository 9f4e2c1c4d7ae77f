"""Lists that answer an auditor in a click or two: PQRS answered outside the legal term and by
year; nonconformities by clause, origin and audit (linked to the finding); the master list
export with origin, edition, retention and approval, on the trail; an external document's
overdue verification; the audit team; holidays on the audit calendar and the warning."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import sqlalchemy as sa
from flask.testing import FlaskClient

from qms.audits import checklist, findings
from qms.audits import services as audits
from qms.audits.lifecycle import WORKFLOW, AuditAction
from qms.audits.models import Audit
from qms.capa import pqrs
from qms.capa import services as capa
from qms.capa.pqrs_models import PqrsRequest
from qms.core.db import db
from qms.documents.models import Document
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import build_org, new_document, through_approval, user
from tests.helpers import csrf_token, login, trail_events


def _as(app, username: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _row(html: str, code: str) -> str:
    """The table row that holds `code`."""
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(code)}(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


def _pqrs(app, org, received_on: date, answered_on: date | None, close: bool = False) -> str:
    with app.app_context():
        ana, olga = user(org.approver_id), user(org.owner_id)
        found = pqrs.register_pqrs(
            db.session,
            ana,
            kind="petition",
            channel="email",
            customer_name="Pedro Gómez",
            text="Solicito copia del contrato.",
            received_on=received_on,
        )
        if answered_on is not None:
            pqrs.route_pqrs(db.session, ana, found.id, process_id=org.process_id)
            pqrs.answer_pqrs(db.session, olga, found.id, answer="Enviada.", answered_on=answered_on)
        if close:
            pqrs.close_pqrs(db.session, ana, found.id, satisfaction="satisfied")
        db.session.commit()
        return found.code


def test_the_pqrs_list_filters_late_answers_and_by_year(app):
    org = build_org(app)
    late = _pqrs(app, org, date(2026, 1, 5), date(2026, 3, 2), close=True)  # term: 26 Jan
    on_time = _pqrs(app, org, date(2026, 1, 5), date(2026, 1, 9))
    last_year = _pqrs(app, org, date(2025, 6, 2), date(2025, 6, 5))
    ana = _as(app, "ana")
    html = ana.get("/pqrs?term=late").get_data(as_text=True)
    assert late in html and on_time not in html and last_year not in html
    row = _row(html, late)
    assert "02/03/2026" in row and "data-late" in row  # answered on, flagged outside the term
    assert row.count("Olga") == 1 and "Ana" in row  # who answered, who closed
    html = ana.get("/pqrs?year=2025").get_data(as_text=True)
    assert last_year in html and late not in html and on_time not in html
    # The late answer's page prompts for the corrective action, prefilled from the request.
    with app.app_context():
        request_id = db.session.scalar(sa.select(PqrsRequest.id).where(PqrsRequest.code == late))
    page = ana.get(f"/pqrs/{request_id}").get_data(as_text=True)
    assert f'href="/nonconformities/new?pqrs={request_id}"' in page
    form = ana.get(f"/nonconformities/new?pqrs={request_id}").get_data(as_text=True)
    assert late in form and re.search(r'<option selected value="pqrs"', form)
    reported = ana.post(
        f"/nonconformities/new?pqrs={request_id}",
        data={
            "csrf_token": csrf_token(ana, "/nonconformities/new"),
            "detected_on": "2026-03-02",
            "title": f"{late} fuera del término",
            "description": "Respuesta tardía.",
            "source": "pqrs",
            "process_id": org.process_id,
            "severity": "minor",
            "iso_clause": "8.2.1",
        },
    )
    assert reported.status_code == 302, reported.get_data(as_text=True)[:2000]
    [raised] = trail_events(app, "pqrs:raise_nonconformity")
    assert json.loads(raised.after)["code"] == late
    assert "/nonconformities/new" not in ana.get(f"/pqrs/{request_id}").get_data(as_text=True)
    # Exporting the filtered register is on record with what was taken.
    exported = ana.get("/pqrs/export.csv?term=late")
    assert exported.status_code == 200 and late in exported.get_data(as_text=True)
    [event] = trail_events(app, "pqrs:export")
    assert json.loads(event.after) == {"format": "csv", "filters": {"term": "late"}, "rows": 1}


def _nc_from_a_finding(app, org) -> tuple[int, str]:
    audit_id = planned_audit(app, org, programme_for(app, org))
    with app.app_context():
        jorge = user(org.auditor_id)
        checklist.generate_checklist(db.session, jorge, audit_id)
        WORKFLOW.apply(db.session, db.session.get(Audit, audit_id), AuditAction.NOTIFY_PLAN, jorge)
        audits.start_audit(db.session, jorge, audit_id)
        finding = findings.record_finding(
            db.session,
            jorge,
            audit_id,
            process_id=org.ac_id,
            grade="minor_nc",
            iso_clause="7.5.3",
            criterion="Control de la información documentada.",
            evidence="Formato sin versión en uso.",
            statement="Se usan formatos obsoletos.",
        )
        nc = findings.open_nonconformity(db.session, jorge, finding.id)
        db.session.commit()
        return audit_id, nc.code


def _nc(app, org, source: str, clause: str, title: str) -> str:
    with app.app_context():
        nc = capa.report_nonconformity(
            db.session,
            user(org.lead_id),
            source=source,
            process_id=org.ac_id,
            title=title,
            description="Hallazgo.",
            detected_on=date(2026, 2, 2),
            iso_clause=clause,
        )
        db.session.commit()
        return nc.code


def test_nonconformities_filter_by_clause_origin_and_audit(app):
    org = build_audit_org(app)
    audit_id, from_audit = _nc_from_a_finding(app, org)
    complaint = _nc(app, org, "pqrs", "8.2.1", "Queja sin respuesta")
    indicator = _nc(app, org, "process", "9.1.3", "Indicador bajo la meta")
    ana = _as(app, "ana")

    def listed(query: str) -> set[str]:
        html = ana.get(f"/nonconformities/?{query}").get_data(as_text=True)
        return {c for c in (from_audit, complaint, indicator) if c in html}

    assert listed("clause=8.2") == {complaint}  # a clause finds its sub-clauses
    assert listed("source=process") == {indicator}
    assert listed(f"audit={audit_id}") == {from_audit}
    assert listed("clause=nonsense&source=bogus") == {from_audit, complaint, indicator}
    row = _row(ana.get("/nonconformities/").get_data(as_text=True), from_audit)
    assert f'href="/audits/{audit_id}"' in row and f'href="/audits/{audit_id}#finding-1"' in row
    exported = ana.get("/nonconformities/register.csv?source=pqrs").get_data(as_text=True)
    assert complaint in exported and indicator not in exported
    [event] = trail_events(app, "nonconformity:export")
    assert json.loads(event.after)["filters"] == {"source": "pqrs"}


def test_master_list_export_columns_trail_and_overdue_verification(app):
    org = build_org(app)
    _internal, internal_version = new_document(app, org)
    external, external_version = new_document(app, org, title="NTC-ISO 9001", key="external")
    through_approval(app, org, internal_version)
    through_approval(app, org, external_version)
    with app.app_context():
        db.session.execute(
            sa.update(Document)
            .where(Document.id == external)
            .values(external_edition="2015", next_verification_on=date(2026, 1, 15))
        )
        db.session.commit()
        code = db.session.get(Document, external).code
    ana = _as(app, "ana")
    response = ana.get("/master-list/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    with app.test_request_context():
        from flask_babel import gettext as _

        wanted = [_("Origin"), _("Edition"), _("Retention (years)"), _("Approved by")]
        wanted += [_("Approved on"), _("Next verification")]
        header = rows[0]
        assert all(name in header for name in wanted)
        line = dict(zip(header, next(r for r in rows if r[0] == code), strict=True))
        assert line[_("Edition")] == "2015" and line[_("Next verification")] == "15/01/2026"
        assert line[_("Origin")] == _("External") and line[_("Retention (years)")] == "5"
        assert line[_("Approved by")] == "Ana" and line[_("Approved on")]
        overdue = _("Verification overdue")
    [event] = trail_events(app, "master_list:export")
    assert json.loads(event.after) == {"format": "csv", "filters": {}, "rows": 2}
    assert overdue in _row(ana.get("/master-list/").get_data(as_text=True), code)
    assert overdue in _row(ana.get("/documents/").get_data(as_text=True), code)
    due = ana.get("/master-list/reviews-due").get_data(as_text=True)
    assert overdue in _row(due[due.index('id="verifications"') :], code)


def test_the_audit_list_shows_the_team_and_the_calendar_marks_holidays(app):
    org = build_audit_org(app)
    programme_for(app, org)
    lead = _as(app, "ana")
    christmas = date(org.year, 12, 25)
    plan = {
        "title": "Auditoría a Atención al Cliente",
        "scope": "Atención de PQRS.",
        "criteria": "ISO 9001:2015 8.2.",
        "process_ids": [org.ac_id],
        "start_on": christmas.isoformat(),
        "end_on": christmas.isoformat(),
        "lead_auditor_id": org.auditor_id,
        "auditor_ids": [org.second_auditor_id],
        "auditee_ids": [org.leader_id],
        "csrf_token": csrf_token(lead, "/dashboard"),
    }
    planned = lead.post(f"/audits/new?year={org.year}", data=plan, follow_redirects=True)
    html = planned.get_data(as_text=True)
    assert planned.status_code == 200 and "flash-warning" in html and "Navidad" in html
    with app.app_context():
        code = db.session.scalar(sa.select(Audit.code))
    team = _row(lead.get(f"/audits?year={org.year}").get_data(as_text=True), code)
    assert "Jorge" in team and "Lucia" in team  # the lead and the other auditor
    calendar = lead.get(f"/audits/calendar?year={org.year}&month=12").get_data(as_text=True)
    assert re.search(r'class="[^"]*holiday[^"]*" title="Navidad"', calendar)
    assert f'datetime="{org.year}-12-08"' in calendar and "Inmaculada" in calendar
