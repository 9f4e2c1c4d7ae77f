"""Accounts' URL map: their blueprints and the view modules that carry their routes."""

from __future__ import annotations

from flask import Blueprint, Flask

auth_bp = Blueprint("auth", __name__)
tokens_bp = Blueprint("tokens", __name__, url_prefix="/profile/tokens")
users_bp = Blueprint("users", __name__, url_prefix="/admin/users")


def register(app: Flask) -> None:
    """Attach sign-in and profile, personal API tokens and user administration."""
    # The view modules import their blueprint from here, so they are imported only now.
    from qms.users import admin_views, token_views, views

    routes = {
        auth_bp: (views,),
        tokens_bp: (token_views,),
        users_bp: (admin_views,),
    }
    for blueprint in routes:
        app.register_blueprint(blueprint)
