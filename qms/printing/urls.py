"""Printing's URL map: its blueprints and the view modules that carry their routes."""

from __future__ import annotations

from flask import Blueprint, Flask

printing_bp = Blueprint("printing", __name__, url_prefix="/print")
copies_bp = Blueprint("copies", __name__, url_prefix="/copies")
verify_bp = Blueprint("verify", __name__, url_prefix="/verify")


def register(app: Flask) -> None:
    """Attach the print, controlled-copy and copy-verification pages."""
    # The view modules import their blueprint from here, so they are imported only now.
    from qms.printing import copy_views, verify_views, views

    routes = {
        printing_bp: (views,),
        copies_bp: (copy_views,),
        verify_bp: (verify_views,),
    }
    for blueprint in routes:
        app.register_blueprint(blueprint)
