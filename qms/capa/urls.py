"""CAPA's URL map: its blueprints and the view modules that carry their routes."""

from __future__ import annotations

from flask import Blueprint, Flask

capa_bp = Blueprint("capa", __name__, url_prefix="/nonconformities")
capa_reports_bp = Blueprint("capa_reports", __name__, url_prefix="/nonconformities")
pqrs_bp = Blueprint("pqrs", __name__, url_prefix="/pqrs")


def register(app: Flask) -> None:
    """Attach the nonconformity, report and PQRS pages."""
    # The view modules import their blueprint from here, so they are imported only now.
    from qms.capa import evidence_views, pqrs_views, report_views, treatment_views, views

    routes = {
        capa_bp: (views, evidence_views, treatment_views),
        capa_reports_bp: (report_views,),
        pqrs_bp: (pqrs_views,),
    }
    for blueprint in routes:
        app.register_blueprint(blueprint)
