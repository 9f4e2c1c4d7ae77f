"""The quality lead's dashboard: open nonconformities by process, source and age, overdue
actions, the effectiveness rate and PQRS answered on time — numbers and server-drawn SVG bars."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import CapaAction, CheckResult, EffectivenessCheck, Nonconformity
from qms.capa.nc_filters import AGE_BUCKETS, age_bucket
from qms.capa.nc_filters import OPEN_STATES as OPEN
from qms.capa.pqrs import late_condition
from qms.capa.pqrs_models import PqrsRequest, PqrsState
from qms.core.permissions import Actor, Permission, require
from qms.core.svg_text import clean as clean_svg_text
from qms.core.svg_text import num as svg_num
from qms.core.svg_text import wrap as wrap_svg_text


@dataclass
class Dashboard:
    open_total: int = 0
    by_process: list[tuple[str, int]] = field(default_factory=list)
    process_ids: dict[str, int] = field(default_factory=dict)  # name → id, for the links
    by_source: list[tuple[str, int]] = field(default_factory=list)
    by_age: list[tuple[str, int]] = field(default_factory=list)
    overdue_actions: list[CapaAction] = field(default_factory=list)
    checks_total: int = 0
    checks_effective: int = 0
    pqrs_answered: int = 0
    pqrs_on_time: int = 0
    pqrs_late: int = 0  # answered after the term, or unanswered with the term run out

    @property
    def effectiveness_rate(self) -> float | None:
        return self.checks_effective / self.checks_total if self.checks_total else None

    @property
    def pqrs_on_time_rate(self) -> float | None:
        return self.pqrs_on_time / self.pqrs_answered if self.pqrs_answered else None


def build_dashboard(session: Session, actor: Actor | None, today: date) -> Dashboard:
    """Figures over every nonconformity and PQRS: for those who read them all."""
    require(actor, Permission.NONCONFORMITY_READ_ALL)
    board = Dashboard()
    open_ncs = list(session.scalars(sa.select(Nonconformity).where(Nonconformity.state.in_(OPEN))))
    board.open_total = len(open_ncs)
    board.by_process = Counter(nc.process.name for nc in open_ncs).most_common()
    board.process_ids = {nc.process.name: nc.process_id for nc in open_ncs}
    board.by_source = Counter(nc.source for nc in open_ncs).most_common()
    ages = Counter(age_bucket((today - nc.detected_on).days) for nc in open_ncs)
    board.by_age = [(label, ages.get(i, 0)) for i, (_above, _most, label) in enumerate(AGE_BUCKETS)]
    board.overdue_actions = [
        action
        for action in session.scalars(
            sa.select(CapaAction)
            .where(CapaAction.status.in_(OPEN_ACTION), CapaAction.due_on < today)
            .order_by(CapaAction.due_on)
        )
        if action.round == action.nonconformity.round
    ]
    results = list(session.scalars(sa.select(EffectivenessCheck.result)))
    board.checks_total = len(results)
    board.checks_effective = sum(1 for r in results if r == CheckResult.EFFECTIVE)
    answered = session.scalars(
        sa.select(PqrsRequest).where(PqrsRequest.state.in_((PqrsState.ANSWERED, PqrsState.CLOSED)))
    ).all()
    board.pqrs_answered = len(answered)
    board.pqrs_on_time = sum(
        1 for r in answered if r.answered_on is not None and r.answered_on <= r.term_due_on
    )
    board.pqrs_late = (
        session.scalar(
            sa.select(sa.func.count()).select_from(PqrsRequest).where(late_condition(today))
        )
        or 0
    )
    return board


def bar_chart(
    items: list[tuple[str, int]], title: str, links: list[str | None] | None = None
) -> Markup:
    """Horizontal bars with their labels and values, as inline SVG (no script, no network);
    with `links`, each bar opens the list it counts."""
    if not items:
        return Markup("")
    # Labels wrap to two lines inside their column (long source names were cut at the left
    # edge); the full label stays in each bar's tooltip.
    width, label_w, line_h, pad = 560, 230, 14, 8
    top = max(value for _label, value in items) or 1
    rows = []
    y = 4.0
    for i, (label, value) in enumerate(items):
        lines = wrap_svg_text(clean_svg_text(label), label_w - 24, 12, 2)
        row_h = max(26.0, len(lines) * line_h + pad)
        middle = y + row_h / 2 - 4
        first = middle - (len(lines) - 1) * line_h / 2 + 4
        spans = Markup("").join(
            Markup('<tspan x="{x}" y="{y}">{text}</tspan>').format(
                x=label_w - 8, y=svg_num(first + n * line_h), text=line
            )
            for n, line in enumerate(lines)
        )
        bar = (width - label_w - 50) * value / top
        rows.append(
            Markup(
                "<g><title>{full}: {value}</title>"
                '<text text-anchor="end" font-size="12">{spans}</text>'
                '<rect x="{bx}" y="{by}" width="{bw:.1f}" height="18" fill="#1d4e89"/>'
                '<text x="{vx:.1f}" y="{ty}" font-size="12">{value}</text></g>'
            ).format(
                full=clean_svg_text(label),
                spans=spans,
                bx=label_w,
                by=svg_num(middle - 9),
                bw=bar,
                vx=label_w + bar + 6,
                ty=svg_num(middle + 4),
                value=value,
            )
        )
        href = links[i] if links and i < len(links) else None
        if href:
            rows[-1] = Markup('<a href="{href}">{row}</a>').format(href=href, row=rows[-1])
        y += row_h
    height = svg_num(y + 4)
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' role="img" aria-label="{t}"'
        ' font-family="DejaVu Sans, sans-serif"><title>{t}</title>{rows}</svg>'
    ).format(w=width, h=height, t=escape(title), rows=Markup("").join(rows))


def percent(rate: float | None) -> str:
    return "—" if rate is None else _("%(p)d %%", p=round(rate * 100))
