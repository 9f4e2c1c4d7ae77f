"""The nonconformity report as a PDF: the same print machinery as controlled copies (print
template, sandboxed WeasyPrint, safe fetcher), with the analysis diagram and the trail."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Session

from qms.capa import forms as labels
from qms.capa.diagrams import five_whys_svg, ishikawa_svg
from qms.capa.models import AnalysisMethod, Nonconformity, RootCauseAnalysis
from qms.capa.services import get_nonconformity
from qms.core.trail_actions import TrailAction
from qms.printing.render import render_pdf
from qms.trail import services as trail
from qms.trail.models import TrailEvent


def analysis_diagram(analysis: RootCauseAnalysis | None, problem: str) -> Markup:
    """The 5 whys chain or the fishbone of an analysis, marked root causes highlighted."""
    if analysis is None or not analysis.action_needed:
        return Markup("")
    data = analysis.data or {}
    if analysis.method == AnalysisMethod.FIVE_WHYS:
        return five_whys_svg(
            problem,
            list(data.get("whys") or []),
            frozenset(data.get("root_causes") or []),
            why_label=_("Why?"),
            root_label=_("Root cause"),
        )
    if analysis.method == AnalysisMethod.ISHIKAWA:
        selected = frozenset((str(c), int(i)) for c, i in data.get("root_causes") or [])
        return ishikawa_svg(problem, dict(data.get("causes") or {}), selected)
    return Markup("")


def _states(session: Session, nc: Nonconformity) -> list[TrailEvent]:
    stmt = (
        sa.select(TrailEvent)
        .where(TrailEvent.object_type == "nonconformity", TrailEvent.object_id == str(nc.id))
        .order_by(TrailEvent.seq)
    )
    return list(session.scalars(stmt))


def nonconformity_pdf(session: Session, actor: Any, nc_id: int) -> tuple[bytes, str]:
    """The report of one nonconformity the actor may see; the print is on record."""
    nc = get_nonconformity(session, actor, nc_id)
    html = render_template(
        "print/nonconformity.html",
        nc=nc,
        analyses=nc.analyses,
        diagram=lambda a: analysis_diagram(a, nc.title),
        events=_states(session, nc),
        # Keys are printed in words, from the same maps as the pages.
        state_labels=labels.STATE_LABELS,
        source_labels=labels.SOURCE_LABELS,
        severity_labels=labels.SEVERITY_LABELS,
        kind_labels=labels.KIND_LABELS,
        action_status_labels=labels.ACTION_STATUS_LABELS,
        result_labels=labels.RESULT_LABELS,
        logo=current_app.config.get("QMS_PRINT_LOGO", "img/logo.svg"),
    )
    pdf, _ms = render_pdf(html)
    trail.record(
        session,
        TrailAction.NONCONFORMITY_PRINT,
        "nonconformity",
        nc.id,
        actor=actor,
        after={"code": nc.code},
    )
    return pdf, f"{nc.code}.pdf"
