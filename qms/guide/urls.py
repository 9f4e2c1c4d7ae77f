"""The getting-started guide's URL map."""

from __future__ import annotations

from flask import Blueprint, Flask

guide_bp = Blueprint("guide", __name__, url_prefix="/getting-started")


def register(app: Flask) -> None:
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.guide import views  # noqa: F401

    app.register_blueprint(guide_bp)
