"""ISO 9001 quality-management document system."""

from __future__ import annotations

from flask import Flask

from qms.config import PROJECT_ROOT, Settings


def create_app(settings: Settings | None = None) -> Flask:
    """Build the Flask app from settings (the environment's, when none are given)."""
    from qms import blueprints, tick
    from qms.core import db, i18n, security, storage, web
    from qms.printing import background
    from qms.search import hooks as search_hooks
    from qms.users import auth

    settings = (settings or Settings()).resolved()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(settings.flask_config())
    app.jinja_env.add_extension("jinja2.ext.do")
    app.extensions["qms_settings"] = settings
    assert settings.database_url is not None and settings.store_path is not None
    db.Database(settings.database_url, settings.sqlite_busy_timeout_ms).init_app(app)
    app.extensions["qms_store"] = storage.FileSystemBlobStore(settings.store_path)
    i18n.init_app(app)
    security.init_app(app, settings.force_secure_cookies, settings.proxy_count)
    auth.init_app(app)
    web.init_app(app)
    blueprints.register(app)
    background.init_app(app)
    search_hooks.init_app(app)
    tick.init_app(app)
    return app
