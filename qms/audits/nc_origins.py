"""The audits' part of the nonconformity register: its "audit" filter, and on each row opened
from a finding, the audit and the finding it came from (see `qms.capa.origins`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from qms.audits import services
from qms.audits.models import Audit, Finding
from qms.capa.models import Nonconformity
from qms.capa.origins import OriginLink


def _url(audit_id: int, anchor: str | None = None) -> str | None:
    try:
        return url_for("audit_work.show", audit_id=audit_id, _anchor=anchor)
    except BuildError:
        return None


class AuditOrigin:
    name = "audit"

    def label(self) -> str:
        return _("Audit")

    def choices(self, session: Session, actor: Any) -> list[tuple[str, str]]:
        """The audits the actor may see that opened at least one nonconformity."""
        opened = sa.select(Finding.audit_id).where(Finding.nonconformity_id.is_not(None))
        stmt = (
            sa.select(Audit)
            .where(Audit.id.in_(opened), services.audit_visibility(actor))
            .order_by(Audit.start_on.desc(), Audit.id.desc())
        )
        return [(str(a.id), f"{a.code} · {a.title}") for a in session.scalars(stmt)]

    def condition(self, value: str) -> sa.ColumnElement[bool]:
        opened = sa.select(Finding.nonconformity_id).where(
            Finding.audit_id == int(value), Finding.nonconformity_id.is_not(None)
        )
        return Nonconformity.id.in_(opened)

    def links(self, session: Session, actor: Any, nc_ids: Sequence[int]) -> dict[int, OriginLink]:
        found: dict[int, OriginLink] = {}
        for start in range(0, len(nc_ids), 500):  # keep the IN list bounded
            stmt = (
                sa.select(Finding, Audit)
                .join(Audit, Audit.id == Finding.audit_id)
                .where(Finding.nonconformity_id.in_(nc_ids[start : start + 500]))
            )
            for finding, audit in session.execute(stmt):
                visible = services.can_see(actor, audit)
                found[finding.nonconformity_id or 0] = OriginLink(
                    label=audit.code,
                    url=_url(audit.id) if visible else None,
                    detail=_("finding %(seq)d", seq=finding.seq),
                    detail_url=_url(audit.id, f"finding-{finding.seq}") if visible else None,
                )
        return found
