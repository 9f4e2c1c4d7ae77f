"""`qms tick` sends each reminder once, through a real SMTP server on localhost (aiosmtpd)."""

from __future__ import annotations

from datetime import date, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from qms.capa import pqrs, services, treatment
from qms.core.db import db
from qms.documents import approval
from qms.notifications import services as notifications
from qms.notifications.models import Notification
from qms.tick import tick_command
from qms.users.models import User
from tests.documents_fixtures import build_org, user
from tests.smtp_inbox import serve_inbox


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")  # mail titles write dates as the Spanish pages do


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message["Subject"])))
        body = message.get_payload(decode=True).decode("utf-8")
        self.messages.append((list(envelope.rcpt_tos), subject, body))
        return "250 OK"


@pytest.fixture
def inbox(app):
    yield from serve_inbox(app, Inbox())


def _with_emails(app, org):
    with app.app_context():
        for user_id, name in ((org.owner_id, "olga"), (org.approver_id, "ana")):
            db.session.execute(
                sa.update(User).where(User.id == user_id).values(email=f"{name}@example.co")
            )
        db.session.commit()


def _nc_with_actions(org):
    """An NC in progress with one action due in two days and one overdue, both Olga's."""
    today = approval.today()
    lead, owner = user(org.approver_id), user(org.owner_id)
    nc = services.report_nonconformity(
        db.session,
        lead,
        source="process",
        process_id=org.process_id,
        title="Indicador bajo",
        description="Oportunidad de respuesta 71 %",
        detected_on=today,
    )
    services.accept_nonconformity(db.session, lead, nc.id)
    services.contain_nonconformity(db.session, lead, nc.id, "Refuerzo de turnos")
    treatment.analyse_nonconformity(
        db.session,
        lead,
        nc.id,
        action_needed=True,
        method="five_whys",
        data={"whys": ["Falta de personal"]},
    )
    for days, text in ((2, "Contratar un auxiliar"), (-1, "Redistribuir turnos")):
        treatment.add_action(
            db.session,
            lead,
            nc.id,
            kind="corrective",
            description=text,
            owner_id=owner.id,
            due_on=today + timedelta(days=days),
        )
    treatment.approve_plan(
        db.session, lead, nc.id, check_due_on=today + timedelta(days=40), check_criterion="≥ 90 %"
    )
    return nc


def test_tick_twice_mails_each_reminder_exactly_once(app, inbox):
    org = build_org(app)
    _with_emails(app, org)
    with app.app_context():
        nc = _nc_with_actions(org)
        db.session.commit()
        code = nc.code
    runner = app.test_cli_runner()
    first = runner.invoke(tick_command)
    assert first.exit_code == 0, first.output
    # Olga: one due, one overdue; Ana (quality lead): the overdue one.
    assert "3 notification(s) created, 3 mail(s) sent." in first.output
    assert sorted((to[0], subject) for to, subject, _ in inbox.messages) == sorted(
        [
            (
                "olga@example.co",
                f"Acción de {code} vence el {_day(approval.today() + timedelta(2))}",
            ),
            (
                "olga@example.co",
                f"Acción vencida de {code} (vencía {_day(approval.today() - timedelta(1))})",
            ),
            (
                "ana@example.co",
                f"Acción vencida de {code} (vencía {_day(approval.today() - timedelta(1))})",
            ),
        ]
    )
    assert all(f"/nonconformities/{nc.id}" in body for _, _, body in inbox.messages)
    second = runner.invoke(tick_command)
    assert "0 notification(s) created, 0 mail(s) sent." in second.output
    assert len(inbox.messages) == 3
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 3
        assert notifications.unread_count(db.session, user(org.owner_id)) == 2


def test_a_daily_digest_gathers_the_day_in_one_mail(app, inbox):
    org = build_org(app)
    _with_emails(app, org)
    with app.app_context():
        notifications.set_daily_digest(db.session, user(org.owner_id), True)
        _nc_with_actions(org)
        pqrs.register_pqrs(
            db.session,
            user(org.staff_id),
            kind="petition",
            channel="web",
            customer_name="Luis",
            text="Certificado de afiliación",
            received_on=approval.today() - timedelta(days=25),
        )
        db.session.commit()
    runner = app.test_cli_runner()
    assert runner.invoke(tick_command).exit_code == 0
    olga = [m for m in inbox.messages if m[0] == ["olga@example.co"]]
    assert len(olga) == 1 and olga[0][1] == "2 recordatorios del sistema de calidad"
    # The unrouted PQRS past its term goes to the quality lead, one mail per item.
    ana_subjects = [m[1] for m in inbox.messages if m[0] == ["ana@example.co"]]
    assert any(s.startswith("El término de PQRS-") for s in ana_subjects)
    count = len(inbox.messages)
    runner.invoke(tick_command)
    assert len(inbox.messages) == count


def test_without_a_mail_server_the_bell_still_shows_them(app):
    org = build_org(app)
    with app.app_context():
        _nc_with_actions(org)
        db.session.commit()
    result = app.test_cli_runner().invoke(tick_command)
    assert "3 notification(s) created, 0 mail(s) sent." in result.output
    with app.app_context():
        olga = user(org.owner_id)
        [first, *_] = notifications.list_notifications(db.session, olga)
        notifications.mark_read(db.session, olga, first.id)
        db.session.commit()
        assert notifications.unread_count(db.session, olga) == 1
