"""The demo organisation's identity: a name, a NIT and a drawn logo, so that the demo shows
where an organisation's own identity appears (top bar, login page, every print and report)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from qms.core.permissions import Permission, can
from qms.organisation import services as organisation
from qms.organisation.layout import DEFAULT_PAPER

NAME = "Organización Demo S.A.S."
NIT = "900.123.456-8"  # made up; its check digit is right
# Drawn here rather than shipped as a file: a teal square with the initials.
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect x="2" y="2" width="60" height="60" rx="12" fill="#0f766e"/>
<path d="M14 44 L32 16 L50 44 Z" fill="none" stroke="#ffffff" stroke-width="5"
 stroke-linejoin="round"/>
<circle cx="32" cy="36" r="5" fill="#fbbf24"/>
</svg>"""


def give_identity(session: Session, admin: Any) -> None:
    """Name, NIT and logo, once: an identity someone already set is left as it is (and an
    "admin" account the demo did not create, without the right, sets none)."""
    current = organisation.get_organisation(session)
    if (current is not None and current.name) or not can(admin, Permission.ORGANISATION_EDIT):
        return
    settings = current_app.extensions["qms_settings"]
    organisation.update_organisation(
        session,
        current_app.extensions["qms_store"],
        admin,
        name=NAME,
        nit=NIT,
        paper=current.paper if current is not None else DEFAULT_PAPER,
        timezone=settings.timezone,
        logo=LOGO,
    )
