"""What the controlled copies ask of a person: recalls to acknowledge, for those who acknowledge
them (the recall list, `qms.printing.copies.outstanding_recalls`), and the copies they hold of a
version no longer in force, to hand back."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from qms.core.links import optional_url
from qms.core.permissions import Permission, can
from qms.documents.in_force import shown_state_expr
from qms.documents.links import document_url
from qms.documents.models import DocumentVersion
from qms.home.work import WorkItem
from qms.printing.copies import RECALL_STATES, outstanding_recalls
from qms.printing.models import ControlledCopy

LIMIT = 200


def acknowledges_recalls(actor: Any) -> bool:
    return can(actor, Permission.COPY_RECALL)


def _title(copy: ControlledCopy) -> str:
    return _(
        "%(title)s · version %(num)d · copy No. %(copy)d",
        title=copy.version.document.title,
        num=copy.version.number,
        copy=copy.copy_number,
    )


def _held_by(session: Session, actor: Any, on: date) -> list[ControlledCopy]:
    stmt = (
        sa.select(ControlledCopy)
        .join(DocumentVersion, DocumentVersion.id == ControlledCopy.version_id)
        .where(
            ControlledCopy.holder_user_id == actor.id,
            ControlledCopy.recall_acknowledged_at.is_(None),
            shown_state_expr(on).in_([s.value for s in RECALL_STATES]),
        )
        .order_by(ControlledCopy.issued_at)
        .limit(LIMIT)
    )
    return list(session.scalars(stmt).unique())


def copy_items(session: Session, actor: Any, on: date) -> list[WorkItem]:
    items = []
    listed: set[int] = set()
    if acknowledges_recalls(actor):
        recalls_url = optional_url("copies.recalls")
        for copy in outstanding_recalls(session, actor)[:LIMIT]:
            listed.add(copy.id)
            items.append(
                WorkItem(
                    kind=_("Acknowledge return"),
                    title=_title(copy),
                    code=copy.version.document.code,
                    url=recalls_url,
                    note=_("holder: %(holder)s", holder=copy.holder),
                )
            )
    for copy in _held_by(session, actor, on):
        if copy.id in listed:
            continue
        items.append(
            WorkItem(
                kind=_("Hand back the copy"),
                title=_title(copy),
                code=copy.version.document.code,
                url=document_url(copy.version.document_id),
            )
        )
    return items
