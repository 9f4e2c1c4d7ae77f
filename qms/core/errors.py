"""Domain errors raised by services; the web, API and CLI edges map them to responses."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    code = "invalid"
    # The service recorded why it refused (a trail event): the edge keeps that record although
    # the request fails, instead of rolling it back.
    recorded = False

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    status_code = 400
    code = "validation_failed"


class NotAuthenticated(DomainError):
    status_code = 401
    code = "not_authenticated"


class PermissionDenied(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The object changed under the caller (a lost race or a duplicate)."""

    status_code = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    """A locked-out username; the refused attempt is recorded and counts as well."""

    status_code = 429
    code = "too_many_attempts"
    recorded = True


class Busy(DomainError):
    """The database stayed locked longer than we wait: try again shortly (503, Retry-After)."""

    status_code = 503
    code = "busy"
    retry_after_s = 2
