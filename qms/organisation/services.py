"""Changing the organisation's identity: administrators only, every change in the trail."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.blobs.services import store_blob
from qms.core.db import utcnow
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission, require
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.organisation import identity
from qms.organisation.layout import PAPERS
from qms.organisation.logo import checked_logo
from qms.organisation.models import SINGLE_ROW_ID, Organisation
from qms.organisation.nit import clean_nit
from qms.printing.models import PdfRendition
from qms.trail import services as trail

MAX_NAME = 200
# What a printed copy's base PDF shows of the organisation: a change re-renders them.
PRINTED = ("name", "nit", "logo_sha256", "timezone")


def get_organisation(session: Session) -> Organisation | None:
    return session.get(Organisation, SINGLE_ROW_ID)


def snapshot(row: Organisation) -> dict[str, Any]:
    return {
        "name": row.name,
        "nit": row.nit,
        "logo_sha256": row.logo_sha256,
        "paper": row.paper,
        "timezone": row.timezone,
    }


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(str(_l("The organisation's name is required.")), field="name")
    if len(name) > MAX_NAME:
        raise ValidationFailed(str(_l("The name is too long.")), field="name")
    return name


def _clean_paper(paper: str) -> str:
    if paper not in PAPERS:
        raise ValidationFailed(str(_l("Choose a paper size.")), field="paper")
    return paper


def _clean_zone(name: str) -> str:
    name = (name or "").strip()
    try:
        valid = name in available_timezones() and ZoneInfo(name) is not None
    except (ZoneInfoNotFoundError, ValueError):
        valid = False
    if not valid:
        raise ValidationFailed(
            str(_l("Choose a time zone from the list (e.g. America/Bogota).")), field="timezone"
        )
    return name


def update_organisation(
    session: Session,
    store: BlobStore,
    actor: Any,
    *,
    name: str,
    nit: str,
    paper: str,
    timezone: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Set the identity; `logo` (bytes of an upload) replaces the logo, `remove_logo` drops it.

    Everything is checked before anything is stored, so a refused value stores nothing.
    Flushes, never commits.
    """
    require(actor, Permission.ORGANISATION_EDIT)
    values: dict[str, Any] = {
        "name": _clean_name(name),
        "nit": clean_nit(nit),
        "paper": _clean_paper(paper),
        "timezone": _clean_zone(timezone),
    }
    checked = checked_logo(logo) if logo else None
    row = get_organisation(session)
    if row is None:
        row = Organisation(id=SINGLE_ROW_ID, name="", nit="", logo_media_type="", timezone="")
        session.add(row)
        before: dict[str, Any] = {}
    else:
        before = snapshot(row)
    if checked is not None:
        data, media_type = checked
        values["logo_sha256"] = store_blob(session, store, data, media_type, actor=actor).sha256
        values["logo_media_type"] = media_type
    elif remove_logo:
        values["logo_sha256"], values["logo_media_type"] = None, ""
    for field, value in values.items():
        setattr(row, field, value)
    old, new = trail.changes(before, snapshot(row))
    if new:
        row.updated_at = utcnow()
        row.updated_by_id = getattr(actor, "id", None)
        session.flush()
        trail.record(
            session,
            TrailAction.ORGANISATION_UPDATE,
            "organisation",
            SINGLE_ROW_ID,
            actor=actor,
            before=old,
            after=new,
        )
        if any(field in new for field in PRINTED):
            # Cached base PDFs carry the old heading (and dates in the old zone): drop them,
            # the next print renders again. They are a cache, not a record.
            session.execute(sa.delete(PdfRendition))
    session.flush()
    identity.remember(identity.identity_of(row))
    return row
