"""ISO 9001 clause 10.2 end to end in the browser: a complaint becomes a nonconformity; it is
contained, analysed with 5 whys, and corrected by a document change that must be in force
before the action is done; the effectiveness check is signed, then the nonconformity closes.

Each person works in a browser context of their own; only the document in force at the start
is made with the services."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from qms.capa.models import CapaAction, Nonconformity
from qms.capa.pqrs_models import PqrsRequest
from qms.core.db import db
from qms.core.localtime import local_today
from qms.documents import approval
from qms.documents.models import DocumentVersion
from tests.documents_fixtures import build_org, new_document, user
from tests.helpers import PASSWORD, trail_events

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TODAY = local_today()
TRAIL = (
    "pqrs:raise_nonconformity",
    "nonconformity:accept",
    "nonconformity:contain",
    "nonconformity:analyse",
    "nonconformity:approve_plan",
    "capa_action:complete",
    "effectiveness:sign",
    "nonconformity:close",
)


@pytest.fixture
def world(app: Flask) -> Iterator[Any]:
    """The organisation and its procedure in force (version 1), approved through the services."""
    org = build_org(app)
    document_id, version_id = new_document(app, org, title="Atención de PQRS")
    with app.app_context():
        approval.submit_version(db.session, user(org.owner_id), version_id, PASSWORD)
        approval.review_version(db.session, user(org.reviewer_id), version_id, PASSWORD)
        approval.approve_version(db.session, user(org.approver_id), version_id, PASSWORD)
        db.session.commit()
    yield org, document_id


@pytest.fixture
def sign_in(browser: Any, live_server: str) -> Iterator[Any]:
    """sign_in("olga") → a page of a new browser context, signed in as olga."""
    contexts: list[Any] = []
    problems: list[str] = []

    def _sign_in(username: str) -> Any:
        context = browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{username}: {error}"))
        page.on(
            "console",
            lambda m: (
                problems.append(f"{username} {page.url}: {m.text}") if m.type == "error" else None
            ),
        )
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form[action$='/login'] [type=submit]").click()
        page.wait_for_url(re.compile(r"/dashboard$"))
        return page

    _sign_in.problems = problems  # type: ignore[attr-defined]
    try:
        yield _sign_in
    finally:
        for context in contexts:
            context.close()


def submit(
    page: Any, form: str, button: str = "[type=submit]", ok: tuple[int, ...] = (200,)
) -> Any:
    """Click the form's submit button and wait for the page that answers."""
    with page.expect_navigation() as navigation:
        page.locator(f"{form} {button}").first.click()
    response = navigation.value
    assert response is not None and response.status in ok, (response.status, page.url)
    return response


def flashed(page: Any) -> str:
    return page.locator(".flashes").inner_text()


def badge(page: Any) -> str:
    return page.locator(".page-head .badge").first.inner_text().strip()


def id_in_url(page: Any, pattern: str) -> int:
    match = re.search(pattern, page.url)
    assert match, page.url
    return int(match.group(1))


def sign_version(
    page: Any, base: str, version_id: int, stage: str, done: str, lands: str = ""
) -> None:
    """Submit, review or approve a version on its signing page, with the password again."""
    page.goto(f"{base}/documents/versions/{version_id}/{stage}")
    form = f"form[action$='/{stage}']"
    page.fill(f"{form} input[name=password]", PASSWORD)
    submit(page, form)
    page.wait_for_url(re.compile(lands or rf"/documents/versions/{version_id}$"))
    assert done in flashed(page)


def test_complaint_to_closed_nonconformity_through_the_pages(
    app: Flask, live_server: str, world: Any, sign_in: Any
) -> None:
    org, document_id = world
    base = live_server
    sara, ana, olga, raul = (sign_in(name) for name in ("sara", "ana", "olga", "raul"))

    # 1. Sara registers the complaint at the service point.
    sara.goto(f"{base}/pqrs/new")
    sara.select_option("select[name=kind]", "complaint")
    sara.select_option("select[name=channel]", "email")
    sara.fill("input[name=customer_name]", "Marta Ruiz")
    sara.fill("textarea[name=text]", "Mi queja 118 se respondió en 22 días hábiles.")
    submit(sara, "form[action$='/pqrs/new']")
    pqrs_id = id_in_url(sara, r"/pqrs/(\d+)$")
    assert "registrada" in flashed(sara) and badge(sara) == "Recibida"

    # 2. Ana routes it to process AC and raises a nonconformity from it.
    ana.goto(f"{base}/pqrs/{pqrs_id}")
    ana.select_option("select[name=route-kind]", "complaint")
    ana.select_option("select[name=route-process_id]", str(org.process_id))
    submit(ana, "form[action$='/route']")
    assert "Solicitud direccionada." in flashed(ana) and badge(ana) == "Direccionada"
    submit(ana, "form[action$='/nonconformity']")
    nc_id = id_in_url(ana, r"/nonconformities/(\d+)$")
    assert re.search(r"No conformidad NC-\d{4}-\d{4} generada\.", flashed(ana))
    assert badge(ana) == "Reportada"

    # 3. Ana accepts it; Olga, leader of the process, contains it and analyses it (5 whys).
    submit(ana, "form[action$='/accept']")
    assert "No conformidad aceptada." in flashed(ana) and badge(ana) == "Aceptada"
    nc_url = f"{base}/nonconformities/{nc_id}"
    olga.goto(nc_url)
    olga.fill("textarea[name=containment]", "Se llamó a la clienta y se respondió el 3/11.")
    submit(olga, "form[action$='/contain']")
    assert "Contención registrada." in flashed(olga) and badge(olga) == "Contenida"
    olga.check("input[name=action_needed][value=yes]")
    olga.check("input[name=method][value=five_whys]")
    whys = ["Nadie vio el vencimiento", "El tablero no alerta", "El procedimiento no lo pide"]
    for number, text in enumerate(whys, start=1):
        olga.fill(f"input[name=why_{number}]", text)
    olga.check("input[name=root_why][value='3']")
    submit(olga, "form[action$='/analyse']")
    assert "Análisis registrado." in flashed(olga) and badge(olga) == "Analizada"
    assert "El procedimiento no lo pide" in olga.locator("#analysis").inner_text()

    # 4. Olga asks for the document change and plans the corrective action tied to it.
    olga.goto(f"{base}/change-requests/new?document_id={document_id}")
    assert olga.is_checked("input[name=kind][value=modify]")
    olga.fill("textarea[name=reason]", "Agregar la alerta de vencimiento de las PQRS (NC).")
    submit(olga, "form[action*='/change-requests/new']")
    request_id = id_in_url(olga, r"/change-requests/(\d+)$")
    assert "Solicitud de cambio radicada." in flashed(olga)
    olga.goto(nc_url)
    action_form = "form[action$='/actions']"
    olga.select_option(f"{action_form} select[name=kind]", "corrective")
    olga.fill(f"{action_form} textarea[name=description]", "Incluir la alerta de vencimiento")
    olga.select_option(f"{action_form} select[name=owner_id]", str(org.owner_id))
    olga.fill(f"{action_form} input[name=due_on]", (TODAY + timedelta(days=20)).isoformat())
    olga.fill(f"{action_form} input[name=change_request_id]", str(request_id))
    submit(olga, action_form)
    assert "Acción agregada al plan." in flashed(olga)
    assert olga.locator("#actions tbody tr").count() == 1
    assert f"Solicitud {request_id}" in olga.locator("#actions").inner_text()

    # 5. Ana approves the plan; closing now is refused (no close form; a forged POST is 409).
    ana.goto(nc_url)
    ana.fill("input[name=check_due_on]", (TODAY + timedelta(days=60)).isoformat())
    ana.fill("textarea[name=check_criterion]", "Ninguna PQRS fuera de término en dos meses")
    submit(ana, "form[action$='/approve-plan']")
    assert "Plan de acción aprobado." in flashed(ana) and badge(ana) == "En curso"
    assert ana.locator("form[action$='/close']").count() == 0
    token = ana.locator("input[name=csrf_token]").first.input_value()
    refused = ana.context.request.post(f"{nc_url}/close", form={"csrf_token": token})
    assert refused.status == 409, refused.status
    assert "acciones abiertas" in refused.text()
    ana.reload()
    assert badge(ana) == "En curso"

    # 6. Ana accepts the change request: version 2 opens as a draft for Olga.
    ana.goto(f"{base}/change-requests/{request_id}")
    submit(ana, "form[action$='/accept']")
    assert "Solicitud de cambio aceptada." in flashed(ana)
    href = ana.locator("#cr-versions a").first.get_attribute("href")
    draft_id = int(re.search(r"/documents/versions/(\d+)", href or "").group(1))  # type: ignore[union-attr]

    # 7. Olga writes the change in the block editor, with the change summary, and submits.
    olga.goto(f"{base}/documents/versions/{draft_id}/edit")
    olga.wait_for_selector("#block-editor:not([hidden])")
    olga.fill("#be-0-text", "Objetivo: responder a tiempo. Alerta 2 días antes del vencimiento.")
    olga.fill("textarea[name=change_summary]", "Alerta de vencimiento de PQRS (NC).")
    submit(olga, "form#content", "button[type=submit][value=save]")
    assert "Borrador guardado." in flashed(olga)
    sign_version(olga, base, draft_id, "submit", "Versión enviada a revisión.")

    # 8. Raul, a process owner who belongs to AC, reviews; Ana approves from today: the new
    # version is in force.
    reviewed = "Su firma de revisión quedó registrada."
    sign_version(raul, base, draft_id, "review", reviewed)
    sign_version(ana, base, draft_id, "approve", "Su firma de aprobación quedó registrada.")
    assert ana.locator(".page-head .badge.state-effective").count() == 1

    # 9. Olga marks her action done, with evidence: it awaits the effectiveness check.
    olga.goto(nc_url)
    update_form = "form[action*='/actions/'][action$='/update']"
    olga.fill(f"{update_form} input[name=progress]", "100")
    olga.fill(f"{update_form} textarea[name=evidence]", "Versión 2 del procedimiento vigente.")
    olga.check(f"{update_form} input[name=done]")
    submit(olga, update_form)
    assert "Acción actualizada." in flashed(olga)
    assert badge(olga) == "En espera de la verificación de eficacia"
    assert olga.locator("#actions .badge.action-done").inner_text().strip() == "Cumplida"

    # 10. Ana signs the effectiveness check (no close form before it), then closes.
    ana.goto(nc_url)
    assert ana.locator("form[action$='/close']").count() == 0
    check_form = "form[action$='/effectiveness']"
    ana.check(f"{check_form} input[name=result][value=effective]")
    ana.fill(f"{check_form} textarea[name=evidence]", "Muestreo de 30 PQRS: todas a tiempo.")
    ana.fill(f"{check_form} input[name=password]", PASSWORD)
    submit(ana, check_form)
    assert "Verificación de eficacia firmada." in flashed(ana)
    assert ana.locator("#checks .badge.check-effective").inner_text().strip() == "Eficaz"
    submit(ana, "form[action$='/close']")
    assert "No conformidad cerrada." in flashed(ana) and badge(ana) == "Cerrada"

    # The record, as the database keeps it.
    with app.app_context():
        nc = db.session.get(Nonconformity, nc_id)
        assert nc is not None and nc.state == "closed"
        actions = db.session.query(CapaAction).filter_by(nonconformity_id=nc_id).all()
        assert [(a.status, a.change_request_id) for a in actions] == [("done", request_id)]
        version = db.session.query(DocumentVersion).filter_by(change_request_id=request_id).one()
        assert (version.id, version.number, version.state) == (draft_id, 2, "effective")
        assert db.session.get(PqrsRequest, pqrs_id).nonconformity_id == nc_id  # type: ignore[union-attr]
    for action in TRAIL:
        assert len(trail_events(app, action)) == 1, action
    assert sign_in.problems == []  # no console error, page error, CSP violation or 404
