"""Printing a version: the cached base PDF plus the stamp of an uncontrolled copy, on record."""

from __future__ import annotations

from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.permissions import Permission, require
from qms.core.storage import BlobStore
from qms.documents.models import VersionState
from qms.documents.queries import get_version
from qms.printing.overlay import stamp
from qms.printing.pdf import PAGE_SIZES, ensure_base_pdf
from qms.trail import services as trail

S = VersionState


def status_mark(state: str) -> str | None:
    """The big diagonal mark a copy carries for the state of its version."""
    if state in (S.SUPERSEDED, S.OBSOLETE):
        return _("OBSOLETE")
    if state != S.EFFECTIVE:
        return _("DRAFT — NOT VALID")
    return None


def print_uncontrolled_copy(
    session: Session,
    store: BlobStore,
    actor: Any,
    version_id: int,
    *,
    page_size: str,
    check_url: str,
) -> tuple[bytes, str]:
    """A stamped PDF of a version the actor may see (staff: only the one in force)."""
    require(actor, Permission.DOCUMENT_READ)
    version = get_version(session, actor, version_id)
    size = page_size if page_size in PAGE_SIZES else "A4"
    base, _rendition = ensure_base_pdf(session, store, version, size)
    line = _(
        "UNCONTROLLED COPY — printed by %(user)s on %(when)s; check it is in force at %(url)s",
        user=actor.full_name,
        when=format_datetime(utcnow(), "short"),
        url=check_url,
    )
    pdf = stamp(base, line, mark=status_mark(version.state), qr_url=check_url)
    document = version.document
    trail.record(
        session,
        "document:print",
        "document_version",
        version.id,
        actor=actor,
        after={
            "document": document.code,
            "number": version.number,
            "copy": "uncontrolled",
            "page_size": size,
            "state": version.state,
        },
    )
    return pdf, f"{document.code}-v{version.number}.pdf"
