"""The audit trail's URL map."""

from __future__ import annotations

from flask import Blueprint, Flask

trail_bp = Blueprint("trail", __name__, url_prefix="/trail")


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.trail import views

    routes = {trail_bp: (views,)}
    for blueprint in routes:
        app.register_blueprint(blueprint)
