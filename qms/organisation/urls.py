"""The organisation settings page and the logo's address; the identity's template globals."""

from __future__ import annotations

from flask import Blueprint, Flask, request

from qms.organisation import identity

organisation_bp = Blueprint("organisation", __name__)


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.organisation import views

    routes = {organisation_bp: (views,)}
    for blueprint in routes:
        app.register_blueprint(blueprint)
    app.before_request(_read_identity_first)
    # Dates everywhere are read in the zone set here (qms.core.localtime asks for it).
    app.extensions["qms_zone_name"] = identity.zone_name
    app.jinja_env.globals.update(
        organisation=identity.current_identity,
        organisation_logo_url=identity.logo_url,
        print_logo=identity.print_logo,
        print_page_size=identity.page_size,
    )


def _read_identity_first() -> None:
    """Read the identity before the request writes anything: the read uses a connection of its
    own, which must not wait behind this request's own write lock (SQLite)."""
    if request.endpoint != "static":
        identity.current_identity()
