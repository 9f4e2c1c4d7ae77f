"""Signing cannot be used to guess passwords: a failed re-authentication (a signature, a password
change) counts in the same lockout as a failed sign-in, on every path. Once locked out, the right
password signs nothing (429) and opens no session either; each refusal is kept on record although
the request fails.

Tests whose subject is the shared counter (they query the attempts) are marked `sql`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from qms.audits import report
from qms.audits.models import Audit, AuditState
from qms.capa import services as capa
from qms.capa import treatment
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.errors import TooManyAttempts, ValidationFailed
from qms.core.localtime import local_today
from qms.documents.models import VersionState
from qms.users import auth
from qms.users.models import LoginAttempt
from qms.users.services import verify_password
from tests.audit_flow_helpers import run_to_report
from tests.audits_fixtures import build_audit_org, planned_audit, programme_for
from tests.documents_fixtures import Org, build_org, new_document, user
from tests.helpers import PASSWORD, bearer_for, csrf_token, login, trail_events
from tests.signing_helpers import actions, sign, signatures, signed_in, version

LIMIT = 5  # QMS_LOGIN_MAX_FAILURES, by default
WRONG = "not-my-password-1"
LOCKED = "Demasiados intentos fallidos"  # "Too many failed attempts…", in Spanish
TODAY = local_today()


def _failures(app: Flask, username: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).where(
                LoginAttempt.username == username, LoginAttempt.succeeded.is_(False)
            )
        )


def _post(client: FlaskClient, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/dashboard")})


def _refusals(app: Flask) -> list[str]:
    """The reason of each refused signature, in order: "" for a wrong password."""
    return [event.reason for event in trail_events(app, "signature:refused")]


def _assert_login_refused(app: Flask, username: str) -> None:
    refused = login(app.test_client(), username)
    assert refused.status_code == 429
    assert LOCKED in refused.get_data(as_text=True)


# --- documents ------------------------------------------------------------------------------


@pytest.fixture
def org(app: Flask) -> Org:
    return build_org(app)


@pytest.mark.sql
def test_wrong_passwords_on_a_signing_page_lock_the_signer_out(app, org) -> None:
    _, version_id = new_document(app, org)
    owner = signed_in(app, "olga")
    url = f"/documents/versions/{version_id}/submit"
    for _ in range(LIMIT):
        assert sign(owner, url, password=WRONG).status_code == 403
    locked = sign(owner, url, password=PASSWORD)
    assert locked.status_code == 429
    assert LOCKED in locked.get_data(as_text=True)
    assert version(app, version_id).state == VersionState.DRAFT
    assert signatures(app, version_id) == [] and actions(app, "document:submit") == 0
    # Every refusal is on record, the lockout's too, although each request failed.
    assert _refusals(app) == [""] * LIMIT + ["lockout"]
    assert _failures(app, "olga") == LIMIT + 1
    _assert_login_refused(app, "olga")


@pytest.mark.sql
def test_wrong_passwords_through_the_api_lock_the_signer_out(app, client, org) -> None:
    _, version_id = new_document(app, org)
    owner = bearer_for(app, org.owner_id)
    path = f"/api/v1/versions/{version_id}/submit"
    for _ in range(LIMIT):
        refused = client.post(path, headers=owner, json={"password": WRONG})
        assert refused.status_code == 403
        assert refused.json["error"]["code"] == "signature_refused"
    locked = client.post(path, headers=owner, json={"password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "too_many_attempts"
    assert locked.json["error"]["message"]
    assert version(app, version_id).state == VersionState.DRAFT
    assert signatures(app, version_id) == []
    assert _refusals(app) == [""] * LIMIT + ["lockout"]
    assert _failures(app, "olga") == LIMIT + 1
    _assert_login_refused(app, "olga")


@pytest.mark.sql
def test_failed_logins_then_a_signature_is_refused_too(app, org) -> None:
    """One counter: failed sign-ins from elsewhere lock the signer out of signing too."""
    _, version_id = new_document(app, org)
    owner = signed_in(app, "olga")  # signed in before the attack
    attacker = app.test_client()
    for _ in range(LIMIT):
        assert login(attacker, "olga", WRONG).status_code == 401
    locked = sign(owner, f"/documents/versions/{version_id}/submit", password=PASSWORD)
    assert locked.status_code == 429
    assert version(app, version_id).state == VersionState.DRAFT
    assert signatures(app, version_id) == []
    assert _refusals(app) == ["lockout"]
    assert _failures(app, "olga") == LIMIT + 1


@pytest.mark.sql
def test_a_signature_after_fewer_failures_than_the_limit_works(app, org) -> None:
    _, version_id = new_document(app, org)
    owner = signed_in(app, "olga")
    attacker = app.test_client()
    assert login(attacker, "olga", WRONG).status_code == 401
    url = f"/documents/versions/{version_id}/submit"
    for _ in range(LIMIT - 2):
        assert sign(owner, url, password=WRONG).status_code == 403
    assert sign(owner, url, password=PASSWORD).status_code == 302
    assert version(app, version_id).state == VersionState.IN_REVIEW
    assert [s[0] for s in signatures(app, version_id)] == ["authored"]
    assert _refusals(app) == [""] * (LIMIT - 2)
    # The right password proved who signs: the count starts again, as after a sign-in.
    for _ in range(LIMIT - 1):
        assert login(attacker, "olga", WRONG).status_code == 401
    assert login(app.test_client(), "olga").status_code == 302


@pytest.mark.sql
def test_a_locked_out_user_is_refused_without_the_password_being_checked(
    app, org, monkeypatch
) -> None:
    with app.app_context():
        for _ in range(LIMIT):
            db.session.add(LoginAttempt(username="olga", succeeded=False))
        db.session.commit()

        def no_check(*_args: object) -> bool:
            raise AssertionError("a locked-out user's password must not be checked")

        monkeypatch.setattr(auth, "check_password_hash", no_check)
        with pytest.raises(TooManyAttempts) as refused:
            auth.check_reauthentication(db.session, user(org.owner_id), PASSWORD)
        assert refused.value.status_code == 429
        db.session.commit()
    assert _failures(app, "olga") == LIMIT + 1


@pytest.mark.sql
def test_each_reauthentication_is_recorded_as_an_attempt(app, org) -> None:
    with app.app_context():
        assert auth.check_reauthentication(db.session, user(org.owner_id), WRONG) is False
        assert auth.check_reauthentication(db.session, user(org.owner_id), PASSWORD) is True
        db.session.commit()
        attempts = db.session.execute(
            sa.select(LoginAttempt.username, LoginAttempt.succeeded).order_by(LoginAttempt.id)
        ).all()
    assert [tuple(a) for a in attempts] == [("olga", False), ("olga", True)]


# --- CAPA: the signed effectiveness check ---------------------------------------------------


def _awaiting_check(app: Flask, org: Org) -> int:
    """A nonconformity whose one action is done: it waits for ana's signed check."""
    with app.app_context():
        s = db.session
        lead, owner, staff = (user(i) for i in (org.approver_id, org.owner_id, org.staff_id))
        nc = capa.report_nonconformity(
            s,
            staff,
            source="pqrs",
            process_id=org.process_id,
            title="Queja respondida tarde",
            description="La queja 2026-118 se respondió en 22 días hábiles.",
            detected_on=TODAY,
            iso_clause="8.2.1",
        )
        capa.accept_nonconformity(s, lead, nc.id)
        capa.contain_nonconformity(s, owner, nc.id, "Llamada.")
        treatment.analyse_nonconformity(
            s,
            owner,
            nc.id,
            action_needed=True,
            method="five_whys",
            data={"whys": ["Sin vencimiento", "El tablero no alerta"]},
        )
        action = treatment.add_action(
            s,
            owner,
            nc.id,
            kind="corrective",
            description="Alerta de vencimiento",
            owner_id=staff.id,
            due_on=TODAY,
        )
        treatment.approve_plan(
            s,
            lead,
            nc.id,
            check_due_on=TODAY + timedelta(days=60),
            check_criterion="Ninguna PQRS tarde",
        )
        treatment.update_action(s, staff, action.id, evidence="Acta", done=True)
        s.commit()
        return nc.id


def _sign_check(org: Org, nc_id: int, password: str) -> None:
    treatment.sign_effectiveness(
        db.session,
        user(org.approver_id),
        nc_id,
        result="effective",
        evidence="Muestreo de 30 PQRS.",
        password=password,
    )


@pytest.mark.sql
def test_wrong_passwords_on_the_effectiveness_check_lock_the_signer_out(app, client, org) -> None:
    nc_id = _awaiting_check(app, org)
    lead = signed_in(app, "ana")  # before the failures: a sign-in starts the count again
    with app.app_context():
        for _ in range(LIMIT - 1):
            with pytest.raises(ValidationFailed) as refused:
                _sign_check(org, nc_id, WRONG)
            assert refused.value.field == "password"
            db.session.commit()  # as the page and the API do: the refusal is kept
    path = f"/nonconformities/{nc_id}/effectiveness"
    data = {"result": "effective", "evidence": "Muestreo de 30 PQRS."}
    assert _post(lead, path, {**data, "password": WRONG}).status_code == 400
    with app.app_context():
        with pytest.raises(TooManyAttempts):
            _sign_check(org, nc_id, PASSWORD)
        db.session.commit()
    locked = _post(lead, path, {**data, "password": PASSWORD})
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    api = client.post(
        f"/api/v1{path}",
        headers=bearer_for(app, org.approver_id),
        json={**data, "password": PASSWORD},
    )
    assert api.status_code == 429 and api.json["error"]["code"] == "too_many_attempts"
    with app.app_context():
        nc = db.session.get(Nonconformity, nc_id)
        assert nc.state == "awaiting_check" and nc.checks == []
    assert trail_events(app, "effectiveness:sign") == []
    assert _refusals(app) == [""] * LIMIT + ["lockout"] * 3
    assert _failures(app, "ana") == LIMIT + 3
    _assert_login_refused(app, "ana")


# --- internal audits: the signed report -----------------------------------------------------


@pytest.mark.sql
def test_wrong_passwords_on_the_audit_report_lock_the_signer_out(app, client) -> None:
    org = build_audit_org(app)
    audit_id = planned_audit(app, org, programme_for(app, org))
    with app.app_context():
        run_to_report(org, audit_id, issue=False)
    jorge = signed_in(app, "jorge")  # before the failures: a sign-in starts the count again
    with app.app_context():
        for _ in range(LIMIT - 1):
            with pytest.raises(ValidationFailed) as refused:
                report.issue_report(db.session, user(org.auditor_id), audit_id, WRONG)
            assert refused.value.field == "password"
            db.session.commit()  # as the page and the API do: the refusal is kept
    path = f"/audits/{audit_id}/report/issue"
    assert _post(jorge, path, {"password": WRONG}).status_code == 400
    with app.app_context():
        with pytest.raises(TooManyAttempts):
            report.issue_report(db.session, user(org.auditor_id), audit_id, PASSWORD)
        db.session.commit()
    locked = _post(jorge, path, {"password": PASSWORD})
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    api = client.post(
        f"/api/v1{path}", headers=bearer_for(app, org.auditor_id), json={"password": PASSWORD}
    )
    assert api.status_code == 429 and api.json["error"]["code"] == "too_many_attempts"
    with app.app_context():
        audit = db.session.get(Audit, audit_id)
        assert audit.state == AuditState.IN_PROGRESS and audit.signatures == []
    assert trail_events(app, "audit:issue_report") == []
    assert _refusals(app) == [""] * LIMIT + ["lockout"] * 3
    assert _failures(app, "jorge") == LIMIT + 3
    _assert_login_refused(app, "jorge")


# --- the password change: the current password is a re-authentication too -------------------


@pytest.mark.sql
def test_wrong_current_passwords_on_the_password_change_lock_the_user_out(app, org) -> None:
    olga = signed_in(app, "olga")

    def change(current: str):  # type: ignore[no-untyped-def]
        data = {
            "pw-csrf_token": csrf_token(olga, "/profile"),
            "pw-current_password": current,
            "pw-new_password": "another-long-passphrase-9",
        }
        return olga.post("/profile/password", data=data)

    for _ in range(LIMIT):
        assert change(WRONG).status_code == 400
    locked = change(PASSWORD)
    assert locked.status_code == 429 and LOCKED in locked.get_data(as_text=True)
    with app.app_context():
        assert verify_password(user(org.owner_id), PASSWORD)  # unchanged
    assert trail_events(app, "user:password_change") == []
    refused = trail_events(app, "user:password_change_refused")
    assert [e.reason for e in refused] == [""] * LIMIT + ["lockout"]
    assert _failures(app, "olga") == LIMIT + 1
    _assert_login_refused(app, "olga")
