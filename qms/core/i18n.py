"""Flask-Babel set-up: the signed-in user's language, else the one picked on the login page,
else the configured default (Spanish)."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, get_locale

from qms.config import PROJECT_ROOT
from qms.core import timefmt

LANGUAGES = {"es": "Español", "en": "English"}
TRANSLATIONS_DIR = PROJECT_ROOT / "qms" / "translations"
CHOSEN_LOCALE = "locale"


def select_locale() -> str:
    from flask_login import current_user

    # API requests carry their user in g (token auth); pages in Flask-Login's current_user.
    locale = getattr(g.get("api_user") or current_user, "locale", None)
    if locale in LANGUAGES:
        return locale
    # Before signing in: the language picked on the login page (kept in the session cookie).
    chosen = session.get(CHOSEN_LOCALE) if has_request_context() else None
    if chosen in LANGUAGES:
        return str(chosen)
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "es")


def _remember_chosen_locale() -> None:
    """`?lang=en` on a page seen before signing in (the login page's switch) sets the
    language until sign-in; a signed-in user's own language is in their profile."""
    from flask_login import current_user

    chosen = request.args.get("lang")
    if chosen in LANGUAGES and not getattr(current_user, "is_authenticated", False):
        session[CHOSEN_LOCALE] = chosen


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS_DIR))
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.before_request(_remember_chosen_locale)
    timefmt.init_app(app)  # the `moment` and `day` filters: one date format per language
