"""Every blueprint of the web UI and the API, registered in one place."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from qms.core.permissions import Actor, Permission, can

csrf = CSRFProtect()

# (endpoint, label, permission): the main navigation, shown to whoever holds the permission.
NAV = [
    ("documents.index", _l("Documents"), Permission.DOCUMENT_READ),
    ("search.index", _l("Search"), Permission.DOCUMENT_READ),
    ("master_list.index", _l("Master list"), Permission.DOCUMENT_READ),
    ("change_requests.index", _l("Change requests"), Permission.CHANGE_REQUEST_CREATE),
    ("capa.index", _l("Nonconformities"), Permission.NONCONFORMITY_REPORT),
    ("pqrs.index", _l("PQRS"), Permission.PQRS_REGISTER),
    ("audits.index", _l("Audits"), Permission.AUDIT_READ_OWN),
    ("capa_reports.dashboard", _l("Quality dashboard"), Permission.NONCONFORMITY_READ_ALL),
    ("copies.recalls", _l("Recalls"), Permission.COPY_READ),
    ("processes.index", _l("Processes"), Permission.PROCESS_READ),
    ("document_types.index", _l("Document types"), Permission.DOCUMENT_TYPE_MANAGE),
    ("users.index", _l("Users"), Permission.USER_READ),
    ("organisation.settings", _l("Organisation"), Permission.ORGANISATION_EDIT),
    ("trail.index", _l("Trail"), Permission.TRAIL_READ),
]


def register(app: Flask) -> None:
    """Each package attaches its own URL map; no two share a rule, so the order is free."""
    from qms.api.views import bp as api_bp
    from qms.audits import urls as audits
    from qms.capa import urls as capa
    from qms.documents import urls as documents
    from qms.guide import urls as guide
    from qms.home import urls as home
    from qms.notifications import urls as notifications
    from qms.organisation import urls as organisation
    from qms.printing import urls as printing
    from qms.processes import urls as processes
    from qms.search import urls as search
    from qms.trail import urls as trail
    from qms.users import urls as users
    from qms.word import urls as word

    csrf.init_app(app)
    for package in (
        home,
        users,
        processes,
        trail,
        printing,
        documents,
        capa,
        search,
        audits,
        notifications,
        word,
        organisation,
        guide,
    ):
        package.register(app)
    app.register_blueprint(api_bp)

    @app.context_processor
    def _permissions() -> dict[str, object]:
        from flask_login import current_user

        return {
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "P": Permission,
            "nav_items": lambda: _nav_items(app, current_user),
        }


def _nav_items(app: Flask, user: Actor | None) -> list[dict[str, object]]:
    from flask import request, url_for

    current_bp = (request.endpoint or "").split(".")[0]
    return [
        {"url": url_for(endpoint), "label": label, "current": endpoint.split(".")[0] == current_bp}
        for endpoint, label, permission in NAV
        # Blueprints still being built may be absent: their links simply do not show.
        if endpoint in app.view_functions and can(user, permission)
    ]
