"""Word's URL map: its blueprint and the view module that carries its routes."""

from __future__ import annotations

from flask import Blueprint, Flask

word_bp = Blueprint("word", __name__, url_prefix="/documents")


def register(app: Flask) -> None:
    """Attach the Word download of a version."""
    # The view module imports its blueprint from here, so it is imported only now.
    from qms.word import bulk_views, import_views, views  # noqa: F401

    app.register_blueprint(word_bp)
