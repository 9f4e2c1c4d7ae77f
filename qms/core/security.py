"""Response headers, cookie flags and proxy trust."""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from qms.core.bounded_input import BoundedChunkedInput

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not request.path.startswith("/static/") and (
        _is_authenticated() or request.path.startswith("/api/")
    ):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def _is_authenticated() -> bool:
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))


def init_app(app: Flask, force_secure_cookies: bool, proxy_count: int) -> None:
    app.config["SESSION_COOKIE_SECURE"] = force_secure_cookies
    app.session_interface = SessionInterface()
    app.wsgi_app = BoundedChunkedInput(  # type: ignore[method-assign]
        app.wsgi_app, lambda: app.config.get("MAX_CONTENT_LENGTH")
    )
    if proxy_count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxy_count, x_proto=proxy_count, x_host=proxy_count
        )
    app.after_request(_set_headers)
