"""Document control's URL map: its blueprints and the view modules that carry their routes."""

from __future__ import annotations

from flask import Blueprint, Flask

documents_bp = Blueprint("documents", __name__, url_prefix="/documents")
signing_bp = Blueprint("signing", __name__, url_prefix="/documents")
document_types_bp = Blueprint("document_types", __name__, url_prefix="/document-types")
master_list_bp = Blueprint("master_list", __name__, url_prefix="/master-list")
change_requests_bp = Blueprint("change_requests", __name__, url_prefix="/change-requests")


def register(app: Flask) -> None:
    """Attach the document, signing, type, master-list and change-request pages."""
    # The view modules import their blueprint from here, so they are imported only now.
    from qms.documents import (
        change_request_views,
        master_list_views,
        print_layout_views,
        sign_views,
        type_views,
        views,
    )

    routes = {
        documents_bp: (views, print_layout_views),
        signing_bp: (sign_views,),
        document_types_bp: (type_views,),
        master_list_bp: (master_list_views,),
        change_requests_bp: (change_request_views,),
    }
    for blueprint in routes:
        app.register_blueprint(blueprint)
    # Globals, not context: macros imported without context (state badges) read them too.
    from qms.documents import state_labels

    app.add_template_global(state_labels.version_state_label)
    app.add_template_global(state_labels.version_state_mark)
    app.add_template_global(state_labels.signature_meaning_label)
