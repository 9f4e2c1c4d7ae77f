"""The audits' URL map: their blueprints, the view modules that carry their routes, the hooks."""

from __future__ import annotations

from flask import Blueprint, Flask

audits_bp = Blueprint("audits", __name__, url_prefix="/audits")
audit_work_bp = Blueprint("audit_work", __name__, url_prefix="/audits")
audit_documents_bp = Blueprint("audit_documents", __name__, url_prefix="/audits")
calendar_feeds_bp = Blueprint("calendar_feeds", __name__, url_prefix="/calendar")


def register(app: Flask) -> None:
    """Attach the audits' pages and the nonconformity page's link back to its audit finding."""
    # The view modules import their blueprint from here, so they are imported only now.
    from qms.audits import (
        calendar_views,
        document_views,
        programme_views,
        views,
        work_checklist_views,
        work_report_views,
        work_views,
    )

    routes = {
        audits_bp: (views, programme_views),
        audit_work_bp: (work_views, work_checklist_views, work_report_views),
        audit_documents_bp: (document_views,),
        calendar_feeds_bp: (calendar_views,),
    }
    for blueprint in routes:
        app.register_blueprint(blueprint)
    origins = app.extensions.setdefault("qms_nonconformity_origins", [])
    origins.append(work_views.nonconformity_origin)
