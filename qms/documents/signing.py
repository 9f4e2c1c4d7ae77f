"""Electronic signatures: re-authentication, and the signature row with what was signed."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.core.errors import DomainError, TooManyAttempts
from qms.documents.models import DocumentVersion, Signature
from qms.trail import services as trail
from qms.users.auth import check_reauthentication


class SignatureRefused(DomainError):
    """The password given to sign was wrong: nothing changes, the attempt is recorded."""

    status_code = 403
    code = "signature_refused"


def reauthenticate(
    session: Session, actor: Any, password: str, version: DocumentVersion, meaning: str
) -> None:
    """Signing asks for the password again (21 CFR Part 11 §11.200); a wrong one counts in the
    login lockout, and a locked-out signer is refused (TooManyAttempts) whatever the password."""
    try:
        if actor is not None and check_reauthentication(session, actor, password):
            return
    except TooManyAttempts:
        _record_refusal(session, actor, version, meaning, reason="lockout")
        raise
    _record_refusal(session, actor, version, meaning)
    raise SignatureRefused(
        str(_l("Wrong password: the signature was not applied.")), field="password"
    )


def _record_refusal(
    session: Session, actor: Any, version: DocumentVersion, meaning: str, reason: str = ""
) -> None:
    trail.record(
        session,
        "signature:refused",
        "document_version",
        version.id,
        actor=actor,
        after={"meaning": meaning, "document": version.document.code, "number": version.number},
        reason=reason,
    )


def add_signature(
    session: Session,
    version: DocumentVersion,
    actor: Any,
    meaning: str,
    content_sha256: str,
    comment: str = "",
) -> Signature:
    """The signer's printed name and job title as they are now, and the hash they signed."""
    signature = Signature(
        version_id=version.id,
        user_id=actor.id,
        printed_name=actor.full_name,
        job_title=actor.job_title,
        meaning=meaning,
        signed_at=utcnow(),
        comment=(comment or "").strip()[:2000],
        content_sha256=content_sha256,
        round=version.round,
    )
    session.add(signature)
    session.flush()
    return signature
