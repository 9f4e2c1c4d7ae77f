"""`qms demo` also builds the year's audit programme: one audit closed (a major nonconformity
followed up in CAPA), one in progress, the rest planned; once."""

from __future__ import annotations

import sqlalchemy as sa

from qms.audits import programme as programmes
from qms.audits.models import Audit, AuditSignature, AuditState, Finding
from qms.audits.report import report_sha256
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.demo import demo_command
from qms.documents import approval
from qms.trail.services import verify_chain
from qms.users.services import find_user


def test_demo_builds_the_years_audits_once(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(demo_command).exit_code == 0
    with app.app_context():
        year = approval.today().year
        audits = db.session.scalars(sa.select(Audit).order_by(Audit.seq)).all()
        states = [a.state for a in audits]
        assert states.count(AuditState.CLOSED) == 1
        assert states.count(AuditState.IN_PROGRESS) == 1
        assert states.count(AuditState.PLANNED) == len(audits) - 2 >= 4
        closed = audits[0]
        assert closed.state == AuditState.CLOSED and closed.year == year
        meanings = {s.meaning for s in db.session.scalars(sa.select(AuditSignature))}
        assert meanings == {"signed", "accepted"}
        assert closed.report_sha256 == report_sha256(closed)
        major = db.session.scalar(sa.select(Finding).where(Finding.grade == "major_nc"))
        nc = db.session.get(Nonconformity, major.nonconformity_id)
        assert (nc.source, nc.severity, nc.state) == ("internal_audit", "major", "in_progress")
        # The follow-up audit is planned, so the coverage raises no follow-up flag for AC.
        lead = find_user(db.session, "calidad")
        coverage = programmes.coverage(db.session, lead, year)
        assert [p.code for p, _audit in coverage.needs_follow_up] == []
        assert coverage.unaudited_processes == []
        # Gestión de Calidad is audited by the auditor who does not belong to it: no waiver,
        # since its leader (the quality lead, an auditee) may not grant one.
        gc = next(a for a in audits if a.title == "Auditoría interna a Gestión de Calidad")
        assert [m.user.username for m in gc.team] == ["auditora"]
        assert not [m for a in audits for m in a.team if m.independence_justification]
        assert verify_chain(db.session)[1] is None
