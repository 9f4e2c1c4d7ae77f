"""What pages, prints and reports read of the organisation, once per request.

The database row is the one source; a value left empty there falls back to the configuration
(QMS_TIMEZONE, QMS_ORGANISATION_NAME), so an installation that never opened the settings page
behaves as before. The row is read on a connection of its own, briefly: no lock of the
request's session is held for it, and a read inside a flush is safe.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from flask import current_app, g, has_app_context, url_for

from qms.config import default_timezone
from qms.core.storage import BlobCorrupted
from qms.organisation.layout import DEFAULT_PAPER, PAPERS, PORTRAIT, page_css
from qms.organisation.models import SINGLE_ROW_ID, Organisation

_CACHE = "qms_organisation"
_LOGO_CACHE = "qms_organisation_logo"
GENERIC_LOGO = "qms-static:///img/logo.svg"


@dataclass(frozen=True)
class Identity:
    name: str
    nit: str
    logo_sha256: str | None
    logo_media_type: str
    paper: str
    timezone: str  # the zone in effect: the row's, else the configuration's

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_sha256)


def _fallback_name() -> str:
    return str(current_app.config.get("QMS_ORGANISATION_NAME") or "")


def _fallback_zone() -> str:
    settings = current_app.extensions.get("qms_settings")
    return settings.timezone if settings is not None else default_timezone()


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _read_row() -> sa.Row[tuple[object, ...]] | None:
    database = current_app.extensions.get("qms_db")
    if database is None:
        return None
    table = Organisation.__table__
    try:
        with database.engine.connect() as connection:
            return connection.execute(sa.select(table).where(table.c.id == SINGLE_ROW_ID)).first()
    except sa.exc.SQLAlchemyError:
        # A database not migrated yet (a fresh install, `qms migrate` itself): configuration.
        return None


def identity_of(row: Organisation | sa.Row[tuple[object, ...]] | None) -> Identity:
    """The identity a row gives, empty values taken from the configuration."""
    name = str(getattr(row, "name", "") or "") or _fallback_name()
    zone = str(getattr(row, "timezone", "") or "")
    paper = str(getattr(row, "paper", "") or "")
    return Identity(
        name=name,
        nit=str(getattr(row, "nit", "") or ""),
        logo_sha256=getattr(row, "logo_sha256", None) or None,
        logo_media_type=str(getattr(row, "logo_media_type", "") or ""),
        paper=paper if paper in PAPERS else DEFAULT_PAPER,
        timezone=zone if zone and _valid_zone(zone) else _fallback_zone(),
    )


def current_identity() -> Identity:
    """The organisation's identity for this request (or app context)."""
    cached: Identity | None = g.get(_CACHE)
    if cached is None:
        cached = identity_of(_read_row())
        setattr(g, _CACHE, cached)
    return cached


def remember(identity: Identity) -> None:
    """What this request just saved is what it shows from now on (not yet committed, so not
    visible to the connection `current_identity` reads on)."""
    setattr(g, _CACHE, identity)
    g.pop(_LOGO_CACHE, None)


def zone_name() -> str:
    """The organisation's time zone (qms.core.localtime asks here when the app has it)."""
    return current_identity().timezone if has_app_context() else default_timezone()


def default_paper() -> str:
    return current_identity().paper


def page_size(orientation: str = PORTRAIT, paper: str | None = None) -> str:
    """The CSS `@page size` of a PDF report: the organisation's paper unless one is given."""
    return page_css(paper or current_identity().paper, orientation)


def logo_url() -> str | None:
    """Where pages load the logo from (cached for good: the address is its hash)."""
    identity = current_identity()
    if not identity.logo_sha256:
        return None
    return url_for("organisation.logo", sha256=identity.logo_sha256)


def print_logo() -> str:
    """The logo as a data: URL for WeasyPrint (which fetches nothing else); the generic mark
    when none is set."""
    if _LOGO_CACHE in g:
        return str(g.get(_LOGO_CACHE))
    identity = current_identity()
    uri = GENERIC_LOGO
    if identity.logo_sha256:
        try:
            data = current_app.extensions["qms_store"].get(identity.logo_sha256)
        except (KeyError, ValueError, OSError, BlobCorrupted):
            data = b""  # a missing file (fsck reports it) prints without the logo
        if data:
            encoded = base64.b64encode(data).decode("ascii")
            uri = f"data:{identity.logo_media_type};base64,{encoded}"
    setattr(g, _LOGO_CACHE, uri)
    return uri
