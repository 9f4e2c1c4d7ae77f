"""The settings page (administrators) and the logo, served to anyone: it heads the login page."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, permission_required
from qms.core.storage import BlobMissing, is_blob_address
from qms.core.web import attach_error
from qms.organisation import services
from qms.organisation.forms import OrganisationForm
from qms.organisation.identity import current_identity
from qms.organisation.urls import organisation_bp as bp

# An SVG opened on its own must not run anything, whatever slipped through the checks.
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.route("/admin/organisation", methods=["GET", "POST"])
@permission_required(Permission.ORGANISATION_EDIT)
def settings() -> ResponseReturnValue:
    form = OrganisationForm()
    if request.method == "GET":
        shown = current_identity()
        form.name.data = shown.name
        form.nit.data = shown.nit
        form.paper.data = shown.paper
        form.timezone.data = shown.timezone
    if form.validate_on_submit():
        upload = form.logo.data
        data = upload.read() if upload and getattr(upload, "filename", "") else None
        try:
            services.update_organisation(
                db.session,
                current_app.extensions["qms_store"],
                current_user,
                name=form.name.data or "",
                nit=form.nit.data or "",
                paper=form.paper.data or "",
                timezone=form.timezone.data or "",
                logo=data,
                remove_logo=bool(form.remove_logo.data),
            )
        except ValidationFailed as error:
            attach_error(form, error)
            return _page(form, error.status_code)
        flash(_("The organisation's settings were saved."), "success")
        return redirect(url_for(".settings"))
    return _page(form, 400 if request.method == "POST" else 200)


def _page(form: OrganisationForm, status: int) -> ResponseReturnValue:
    row = services.get_organisation(db.session)
    return render_template("organisation/settings.html", form=form, row=row), status


# Under /static/: a public asset like the app's own images, cached for good by its hash.
@bp.get("/static/organisation/<sha256>")
def logo(sha256: str) -> Response:
    shown = current_identity()
    if not is_blob_address(sha256) or sha256 != shown.logo_sha256:
        abort(404)
    try:
        data = current_app.extensions["qms_store"].get(sha256)
    except BlobMissing:
        abort(404)
    response = Response(data, mimetype=shown.logo_media_type)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Content-Security-Policy"] = LOGO_CSP
    return response
