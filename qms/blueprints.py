"""Every blueprint of the web UI and the API, registered in one place."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from qms.core.permissions import Permission, can

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
    ("trail.index", _l("Trail"), Permission.TRAIL_READ),
]


def register(app: Flask) -> None:
    from qms.api.views import bp as api_bp
    from qms.audits.calendar_views import bp as calendar_feeds_bp
    from qms.audits.document_views import bp as audit_documents_bp
    from qms.audits.views import bp as audits_bp
    from qms.audits.work_views import init_app as init_audit_work
    from qms.capa.pqrs_views import bp as pqrs_bp
    from qms.capa.report_views import bp as capa_reports_bp
    from qms.capa.views import bp as capa_bp
    from qms.documents.change_request_views import bp as change_requests_bp
    from qms.documents.master_list_views import bp as master_list_bp
    from qms.documents.sign_views import bp as signing_bp
    from qms.documents.type_views import bp as document_types_bp
    from qms.documents.views import bp as documents_bp
    from qms.home.views import bp as home_bp
    from qms.printing.copy_views import bp as copies_bp
    from qms.printing.verify_views import bp as verify_bp
    from qms.printing.views import bp as printing_bp
    from qms.processes.views import bp as processes_bp
    from qms.search.views import bp as search_bp
    from qms.trail.views import bp as trail_bp
    from qms.users.admin_views import bp as users_bp
    from qms.users.token_views import bp as tokens_bp
    from qms.users.views import bp as auth_bp

    csrf.init_app(app)
    app.register_blueprint(home_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(tokens_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(processes_bp)
    app.register_blueprint(trail_bp)
    app.register_blueprint(printing_bp)
    app.register_blueprint(copies_bp)
    app.register_blueprint(verify_bp)
    app.register_blueprint(document_types_bp)
    app.register_blueprint(master_list_bp)
    app.register_blueprint(change_requests_bp)
    app.register_blueprint(capa_bp)
    app.register_blueprint(capa_reports_bp)
    app.register_blueprint(pqrs_bp)
    app.register_blueprint(signing_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(search_bp)
    init_audit_work(app)  # before "audits": the audit's own page and the auditor's work
    app.register_blueprint(audits_bp)
    app.register_blueprint(audit_documents_bp)
    app.register_blueprint(calendar_feeds_bp)

    @app.context_processor
    def _permissions():  # type: ignore[no-untyped-def]
        from flask_login import current_user

        return {
            "can": lambda permission, obj=None: can(current_user, permission, obj),
            "P": Permission,
            "nav_items": lambda: _nav_items(app, current_user),
        }


def _nav_items(app: Flask, user: object) -> list[dict[str, object]]:
    from flask import request, url_for

    current_bp = (request.endpoint or "").split(".")[0]
    return [
        {"url": url_for(endpoint), "label": label, "current": endpoint.split(".")[0] == current_bp}
        for endpoint, label, permission in NAV
        # Blueprints still being built may be absent: their links simply do not show.
        if endpoint in app.view_functions and can(user, permission)  # type: ignore[arg-type]
    ]
