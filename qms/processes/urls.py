"""The process map's URL map."""

from __future__ import annotations

from flask import Blueprint, Flask

processes_bp = Blueprint("processes", __name__, url_prefix="/processes")


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.processes import views

    routes = {processes_bp: (views,)}
    for blueprint in routes:
        app.register_blueprint(blueprint)
