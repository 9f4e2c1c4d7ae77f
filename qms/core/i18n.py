"""Flask-Babel set-up: the signed-in user's language, else the configured default (Spanish)."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_babel import Babel, get_locale

from qms.config import PROJECT_ROOT
from qms.core import timefmt

LANGUAGES = {"es": "Español", "en": "English"}
TRANSLATIONS_DIR = PROJECT_ROOT / "qms" / "translations"


def select_locale() -> str:
    from flask_login import current_user

    # API requests carry their user in g (token auth); pages in Flask-Login's current_user.
    locale = getattr(g.get("api_user") or current_user, "locale", None)
    if locale in LANGUAGES:
        return locale
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "es")


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS_DIR))
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    timefmt.init_app(app)  # the `moment` and `day` filters: one date format per language
