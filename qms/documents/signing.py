"""Electronic signatures: re-authentication, and the signature row with what was signed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from qms.core.db import utcnow
from qms.documents.models import DocumentVersion, Signature
from qms.users.auth import reauthenticate_to_sign


def reauthenticate(
    session: Session, actor: Any, password: str, version: DocumentVersion, meaning: str
) -> None:
    """The author's or signer's password again before a version is signed (`SignatureRefused`,
    403, when wrong); see `reauthenticate_to_sign`."""
    reauthenticate_to_sign(
        session,
        actor,
        password,
        object_type="document_version",
        object_id=version.id,
        details={"meaning": meaning, "document": version.document.code, "number": version.number},
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
