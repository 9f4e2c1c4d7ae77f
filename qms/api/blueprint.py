"""The API blueprint and its registry, which every endpoint module declares its routes on."""

from __future__ import annotations

from flask import Blueprint, Response, g

from qms.api.registry import ApiRegistry
from qms.blueprints import csrf

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
api = ApiRegistry(bp)
# CSRF rides on the browser sending cookies by itself. The API ignores cookies and accepts only
# a bearer token, which a browser never attaches on its own, so a forged cross-site request
# carries no credentials and there is nothing for a CSRF token to protect — this holds for the
# POST and PATCH endpoints that change documents and sign versions just as for reads.
csrf.exempt(bp)


@bp.after_request
def _challenge(response: Response) -> Response:
    """Tell a refused client how to authenticate (RFC 6750)."""
    if response.status_code == 401:
        challenge = 'Bearer realm="qms"'
        if g.get("api_token_given"):
            challenge += ', error="invalid_token"'
        response.headers["WWW-Authenticate"] = challenge
    return response
