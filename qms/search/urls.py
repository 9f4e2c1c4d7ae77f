"""The search page's URL map."""

from __future__ import annotations

from flask import Blueprint, Flask

search_bp = Blueprint("search", __name__, url_prefix="/search")


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.search import admin_views, saved_views, views

    routes = {search_bp: (views, saved_views, admin_views)}
    for blueprint in routes:
        app.register_blueprint(blueprint)
