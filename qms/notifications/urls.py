"""The bell's URL map, and the unread count every page shows."""

from __future__ import annotations

from flask import Blueprint, Flask

notifications_bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.home.gather import forget_count_after_writes
    from qms.notifications import views

    routes = {notifications_bp: (views,)}
    for blueprint in routes:
        app.register_blueprint(blueprint)
    app.context_processor(views.bell)
    forget_count_after_writes(app)
