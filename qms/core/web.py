"""The web edge's shared plumbing: one commit per request and domain errors → responses."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from qms.core.errors import Busy, Conflict, DomainError, NotAuthenticated

log = logging.getLogger(__name__)


def commit_despite_error() -> None:
    """Keep this request's changes although it answers with an error (e.g. a failed login)."""
    g.commit_despite_error = True


def keep_if_recorded(error: DomainError) -> None:
    """The one place the edge honours `DomainError.recorded`: the service recorded why it
    refused (a refused signature, a lockout), so that record is committed although the request
    answers with the error. Pages that show the error on their form, and the error handler for
    pages and API alike, come here."""
    if error.recorded:
        commit_despite_error()


def attach_error(form: Any, error: DomainError, *, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error beside the form field it names, or above the form (a recorded
    error keeps its record: `keep_if_recorded`)."""
    keep_if_recorded(error)
    name = (aliases or {}).get(error.field or "", error.field)
    field = getattr(form, name, None) if name else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _commit_or_rollback(response: Response) -> Response:
    session = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400 and not g.get("commit_despite_error"):
        session.rollback()
        return response
    try:
        session.commit()
    except (IntegrityError, OperationalError) as exc:
        log.warning("commit failed: %s", exc)
        return _database_error(exc)
    return response


# PostgreSQL: lock_not_available, serialization_failure, deadlock_detected, query_canceled.
_BUSY_SQLSTATES = {"55P03", "40001", "40P01", "57014"}


def _is_busy(exc: OperationalError) -> bool:
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    return "database is locked" in str(orig) or "database is busy" in str(orig)


def _database_error(exc: IntegrityError | OperationalError) -> Response:
    """A refused write (a duplicate, a frozen row) is a conflict; a lock held past our wait is
    a 503 to retry; anything else is unexpected. The transaction is rolled back."""
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    if isinstance(exc, IntegrityError):
        return error_response(Conflict(_("The record changed meanwhile; reload and try again.")))
    if _is_busy(exc):
        busy = Busy(_("The system is busy; try again in a moment."))
        response = error_response(busy)
        response.headers["Retry-After"] = str(busy.retry_after_s)
        return response
    return _unexpected(exc)


def error_response(error: DomainError) -> Response:
    status = error.status_code
    if is_api_request():
        body = {"error": {"code": error.code, "message": error.message}}
        if error.field:
            body["error"]["field"] = error.field
        response = jsonify(body)
        response.status_code = status
        return response
    html = render_template("errors/error.html", status=status, message=error.message)
    return Response(html, status=status, mimetype="text/html")


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    messages = {
        400: _("The request could not be understood."),
        403: _("You do not have permission to do this."),
        404: _("The page you asked for does not exist."),
        405: _("This action is not allowed here."),
        413: _("The file is larger than the upload limit."),
        429: _("Too many attempts. Wait a few minutes and try again."),
    }
    message = messages.get(status, _("Something went wrong."))
    if is_api_request():
        response = jsonify(
            {"error": {"code": exc.name.lower().replace(" ", "_"), "message": message}}
        )
        response.status_code = status
        return response
    html = render_template("errors/error.html", status=status, message=message)
    return Response(html, status=status, mimetype="text/html")


def _domain_error(error: DomainError) -> Response:
    keep_if_recorded(error)
    if isinstance(error, NotAuthenticated) and not is_api_request():
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
    return error_response(error)


def _csrf_error(_exc: CSRFError) -> Response:
    message = _("The form expired or was not sent from this site. Reload the page and try again.")
    return error_response(DomainError(message))


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error", exc_info=exc)
    session = g.get("db_session")
    if session is not None:
        session.rollback()
    error = DomainError(_("Something went wrong. The error was logged."))
    error.status_code = 500
    error.code = "internal_error"
    return error_response(error)


class RowIdConverter(IntegerConverter):
    """`<int:…>` in every URL: ids stop at the database's integer range, so a larger number
    is simply no page (404) instead of an overflow in the query (500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


MAX_ROW_ID = 2**31 - 1  # PostgreSQL INTEGER; SQLite would take 2**63 - 1


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: rules bind their converters when added.
    app.url_map.converters["int"] = RowIdConverter
    app.after_request(_commit_or_rollback)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(IntegrityError, _database_error)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(Exception, _unexpected)
