"""The landing page's URL map."""

from __future__ import annotations

from flask import Blueprint, Flask

home_bp = Blueprint("home", __name__)


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.home import views

    routes = {home_bp: (views,)}
    for blueprint in routes:
        app.register_blueprint(blueprint)
