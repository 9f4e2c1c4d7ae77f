"""The organisation's identity: who may set it, what is refused, and where it shows (the
login page, a printed copy); print orientation; codes with dots."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import gettext as _
from PIL import Image
from pypdf import PdfReader

from qms.blobs.models import Blob
from qms.core.db import db
from qms.core.errors import Conflict
from qms.core.localtime import local_zone
from qms.documents.authoring import update_draft
from qms.documents.models import Document, DocumentType, DocumentVersion
from qms.organisation.models import Organisation
from qms.organisation.services import update_organisation
from qms.processes.services import create_process
from tests.documents_fixtures import Org, build_org, new_document, through_approval, type_id, user
from tests.helpers import csrf_token, login, make_user, trail_events

NAME = "Laboratorio Clínico Andino S.A.S."
PAGE = "/admin/organisation"


def _png(colour: tuple[int, int, int] = (30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (160, 80), colour).save(out, "PNG")
    return out.getvalue()


def _form(client: FlaskClient, **values: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client, PAGE),
        "name": NAME,
        "nit": "900.123.456-8",
        "paper": "Letter",
        "timezone": "America/Bogota",
    }
    data.update(values)
    return data


def _blob_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(Blob)) or 0)


def _set_identity(app: Flask, **values: Any) -> None:
    admin = make_user(app, "admin1", ["admin"])
    with app.test_request_context():
        update_organisation(
            db.session,
            app.extensions["qms_store"],
            user(admin.id),
            name=values.get("name", NAME),
            nit=values.get("nit", "900.123.456-8"),
            paper=values.get("paper", "Letter"),
            timezone="America/Bogota",
            logo=values.get("logo", _png()),
        )
        db.session.commit()


def test_an_administrator_sets_the_identity_on_record(
    app: Flask, client_as: Callable[..., FlaskClient]
) -> None:
    client = client_as("admin")
    assert client.get(PAGE).status_code == 200
    logo = (io.BytesIO(_png()), "logo.png")
    data = _form(client, logo=logo, timezone="Europe/Madrid")
    response = client.post(PAGE, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.test_request_context():
        assert local_zone().key == "Europe/Madrid"  # the one source of dates from now on
    [event] = trail_events(app, "organisation:update")
    assert NAME in event.after and "900.123.456-8" in event.after and "logo_sha256" in event.after
    with app.app_context():
        row = db.session.get(Organisation, 1)
        assert row is not None and row.paper == "Letter" and row.logo_media_type == "image/png"
    # The top bar of every page now carries the name, and the settings page the logo.
    page = client.get(PAGE).get_data(as_text=True)
    assert f"<span>{NAME}</span>" in page and f"/static/organisation/{row.logo_sha256}" in page


@pytest.mark.parametrize("role", ["quality_lead", "staff"])
def test_others_are_refused(app: Flask, client_as: Callable[..., FlaskClient], role: str) -> None:
    client = client_as(role)
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/profile")
    response = client.post(PAGE, data={"csrf_token": token, "name": "X", "paper": "A4"})
    assert response.status_code == 403
    assert trail_events(app, "organisation:update") == []


@pytest.mark.parametrize(
    ("values", "status"),
    [
        ({"nit": "900.123.456-7"}, 400),  # wrong check digit
        ({"nit": "900123456"}, 400),  # no check digit
        (
            {
                "logo": (
                    io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
                    "l.svg",
                )
            },
            415,
        ),
        ({"logo": (io.BytesIO(b"%PDF-1.4 not a logo"), "logo.png")}, 415),
    ],
)
def test_a_bad_nit_or_logo_stores_nothing(
    app: Flask, client_as: Callable[..., FlaskClient], values: dict[str, Any], status: int
) -> None:
    client = client_as("admin")
    blobs = _blob_count(app)
    response = client.post(PAGE, data=_form(client, **values), content_type="multipart/form-data")
    assert response.status_code == status
    assert trail_events(app, "organisation:update") == []
    assert _blob_count(app) == blobs
    with app.app_context():
        assert db.session.get(Organisation, 1) is None


def test_the_login_page_shows_name_logo_and_a_language_switch(
    app: Flask, client: FlaskClient
) -> None:
    _set_identity(app)
    with app.app_context():
        row = db.session.get(Organisation, 1)
        assert row is not None and row.logo_sha256
        sha = row.logo_sha256
    page = client.get("/login").get_data(as_text=True)
    assert NAME in page and f"/static/organisation/{sha}" in page
    logo = client.get(f"/static/organisation/{sha}")
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    assert client.get(f"/static/organisation/{'0' * 64}").status_code == 404
    with app.test_request_context():
        spanish = _("Sign in")
    assert spanish != "Sign in" and f">{spanish}<" in page and 'hreflang="en"' in page
    english = client.get("/login?lang=en").get_data(as_text=True)
    assert ">Sign in<" in english and NAME in english


@pytest.fixture
def effective(app: Flask) -> tuple[Org, int]:
    org = build_org(app)
    _, version_id = new_document(app, org)
    through_approval(app, org, version_id)
    return org, version_id


def _pdf(client: FlaskClient, version_id: int) -> PdfReader:
    response = client.get(f"/print/versions/{version_id}.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return PdfReader(io.BytesIO(response.data))


def _has_image(reader: PdfReader) -> bool:
    resources = reader.pages[0]["/Resources"]
    found = []

    def walk(xobjects: Any) -> None:
        for ref in (xobjects or {}).values():
            xobject = ref.get_object()
            found.append(xobject.get("/Subtype"))
            walk(xobject.get("/Resources", {}).get("/XObject"))

    walk(resources.get("/XObject"))
    return "/Image" in found


@pytest.mark.slow
def test_a_printed_copy_carries_the_identity_on_letter_and_turns_landscape(
    app: Flask, client: FlaskClient, effective: tuple[Org, int]
) -> None:
    _org, version_id = effective
    _set_identity(app)
    login(client, "sara")
    reader = _pdf(client, version_id)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Carta
    assert NAME in " ".join(reader.pages[0].extract_text().split()) and _has_image(reader)
    # A 7-column control plan does not fit portrait: its type prints landscape.
    with app.app_context():
        doc_type = db.session.get(DocumentType, type_id("procedure"))
        assert doc_type is not None
        doc_type.orientation = "landscape"
        db.session.commit()
    box = _pdf(client, version_id).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)


def test_a_draft_chooses_its_orientation_which_freezes_on_submit(app: Flask) -> None:
    org = build_org(app)
    _, version_id = new_document(app, org)
    with app.app_context():
        update_draft(db.session, user(org.owner_id), version_id, orientation="landscape")
        db.session.commit()
    [event] = [e for e in trail_events(app, "document:edit_draft") if "orientation" in e.after]
    assert '"orientation":"landscape"' in event.after
    through_approval(app, org, version_id)
    with app.app_context():
        with pytest.raises(Conflict):
            update_draft(db.session, user(org.owner_id), version_id, orientation="portrait")
        db.session.rollback()
        # The database's guard holds too: the orientation is frozen with the content.
        frozen = sa.update(DocumentVersion).where(DocumentVersion.id == version_id)
        with pytest.raises(sa.exc.DBAPIError):
            db.session.execute(frozen.values(orientation="portrait"))


def test_a_code_with_dots_can_be_typed(app: Flask, client: FlaskClient) -> None:
    org = build_org(app)
    login(client, "ana")
    with app.app_context():
        procedure = type_id("procedure")
    response = client.post(
        "/documents/new",
        data={
            "csrf_token": csrf_token(client, "/documents/new"),
            "type_id": procedure,
            "process_id": org.process_id,
            "title": "Buenas prácticas de laboratorio",
            "code": "o.bp.c10",
            "owner_id": org.owner_id,
            "parent_id": "",
            "retention_years": 5,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        codes = db.session.scalars(sa.select(Document.code)).all()
        # Process codes take dots as well ("O.BP": operational, good practice).
        process = create_process(
            db.session,
            None,
            code="o.bp",
            name="Buenas prácticas",
            type="core",
            bypass_permission=True,
        )
    assert codes == ["O.BP.C10"] and process.code == "O.BP"
