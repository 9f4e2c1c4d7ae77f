"""Evidence files of a nonconformity and its actions, kept in the blob store, never deleted.

Who may attach: those who treat the nonconformity (quality lead, process leader), the owner
of the action the file is for, and the reporter while it still waits for a decision. A closed
or discarded nonconformity takes no more files.
"""

from __future__ import annotations

from typing import Any, BinaryIO

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.blobs.attached import attach_file
from qms.blobs.services import read_blob
from qms.capa.models import CapaAction, NcState, NonconformityEvidence
from qms.capa.services import get_nonconformity
from qms.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qms.core.permissions import Permission, can
from qms.core.storage import BlobStore
from qms.core.trail_actions import TrailAction
from qms.trail import services as trail

P = Permission
FINISHED = (NcState.CLOSED, NcState.DISCARDED)


def attach_evidence(
    session: Session,
    store: BlobStore,
    actor: Any,
    nc_id: int,
    *,
    data: bytes | BinaryIO,
    filename: str,
    media_type: str,
    action_id: int | None = None,
) -> NonconformityEvidence:
    """Keep the file; its name is only shown, never used as a path."""
    nc = get_nonconformity(session, actor, nc_id)
    action = None
    if action_id is not None:
        action = session.get(CapaAction, action_id)
        if action is None or action.nonconformity_id != nc.id:
            raise ValidationFailed(
                str(_l("Choose an action of this nonconformity.")), field="action_id"
            )
    allowed = (
        can(actor, P.NONCONFORMITY_TREAT, nc)
        or (action is not None and can(actor, P.CAPA_ACTION_UPDATE, action))
        or (nc.state == NcState.REPORTED and nc.reported_by_id == actor.id)
    )
    if not allowed:
        raise PermissionDenied(str(_l("You do not have permission to do this.")))
    if nc.state in FINISHED:
        raise Conflict(str(_l("A closed nonconformity takes no more files.")))
    evidence = attach_file(
        session,
        store,
        actor,
        NonconformityEvidence,
        data=data,
        filename=filename,
        media_type=media_type,
        nonconformity_id=nc.id,
        action_id=action.id if action else None,
    )
    trail.record(
        session,
        TrailAction.NONCONFORMITY_ATTACH,
        "nonconformity",
        nc.id,
        actor=actor,
        after={
            "code": nc.code,
            "file": evidence.filename,
            "sha256": evidence.blob_sha256,
            "action": evidence.action_id,
        },
    )
    return evidence


def read_evidence(
    session: Session, store: BlobStore, actor: Any, evidence_id: int
) -> tuple[NonconformityEvidence, bytes]:
    """The file and its verified bytes, for whoever may see its nonconformity."""
    evidence = session.get(NonconformityEvidence, evidence_id)
    if evidence is None:
        raise NotFound(str(_l("File not found.")))
    get_nonconformity(session, actor, evidence.nonconformity_id)
    return evidence, read_blob(session, store, evidence.blob_sha256)


def evidence_of(session: Session, nc_id: int) -> list[NonconformityEvidence]:
    stmt = (
        sa.select(NonconformityEvidence)
        .where(NonconformityEvidence.nonconformity_id == nc_id)
        .order_by(NonconformityEvidence.id)
    )
    return list(session.scalars(stmt))
