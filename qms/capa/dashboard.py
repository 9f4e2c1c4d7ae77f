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
from qms.capa.models import CapaAction, CheckResult, EffectivenessCheck, NcState, Nonconformity
from qms.capa.pqrs_models import PqrsRequest, PqrsState
from qms.core.permissions import Actor, Permission, require

OPEN = (
    NcState.REPORTED,
    NcState.ACCEPTED,
    NcState.CONTAINED,
    NcState.ANALYSED,
    NcState.IN_PROGRESS,
    NcState.AWAITING_CHECK,
)
AGE_BUCKETS = ((30, "0–30"), (60, "31–60"), (90, "61–90"), (None, "> 90"))


@dataclass
class Dashboard:
    open_total: int = 0
    by_process: list[tuple[str, int]] = field(default_factory=list)
    by_source: list[tuple[str, int]] = field(default_factory=list)
    by_age: list[tuple[str, int]] = field(default_factory=list)
    overdue_actions: list[CapaAction] = field(default_factory=list)
    checks_total: int = 0
    checks_effective: int = 0
    pqrs_answered: int = 0
    pqrs_on_time: int = 0

    @property
    def effectiveness_rate(self) -> float | None:
        return self.checks_effective / self.checks_total if self.checks_total else None

    @property
    def pqrs_on_time_rate(self) -> float | None:
        return self.pqrs_on_time / self.pqrs_answered if self.pqrs_answered else None


def _age_bucket(days: int) -> str:
    for limit, label in AGE_BUCKETS:
        if limit is None or days <= limit:
            return label
    return AGE_BUCKETS[-1][1]


def build_dashboard(session: Session, actor: Actor | None, today: date) -> Dashboard:
    """Figures over every nonconformity and PQRS: for those who read them all."""
    require(actor, Permission.NONCONFORMITY_READ_ALL)
    board = Dashboard()
    open_ncs = list(session.scalars(sa.select(Nonconformity).where(Nonconformity.state.in_(OPEN))))
    board.open_total = len(open_ncs)
    board.by_process = Counter(nc.process.name for nc in open_ncs).most_common()
    board.by_source = Counter(nc.source for nc in open_ncs).most_common()
    ages = Counter(_age_bucket((today - nc.detected_on).days) for nc in open_ncs)
    board.by_age = [(label, ages.get(label, 0)) for _limit, label in AGE_BUCKETS]
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
    return board


def bar_chart(items: list[tuple[str, int]], title: str) -> Markup:
    """Horizontal bars with their labels and values, as inline SVG (no script, no network)."""
    if not items:
        return Markup("")
    width, label_w, row_h = 520, 200, 26
    top = max(value for _label, value in items) or 1
    height = row_h * len(items) + 8
    rows = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        bar = (width - label_w - 50) * value / top
        rows.append(
            Markup(
                '<text x="{lx}" y="{ty}" text-anchor="end" font-size="12">{label}</text>'
                '<rect x="{bx}" y="{y}" width="{bw:.1f}" height="18" fill="#1d4e89"/>'
                '<text x="{vx:.1f}" y="{ty}" font-size="12">{value}</text>'
            ).format(
                lx=label_w - 8,
                ty=y + 13,
                label=escape(label[:32]),
                bx=label_w,
                y=y,
                bw=bar,
                vx=label_w + bar + 6,
                value=value,
            )
        )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' role="img" aria-label="{t}"'
        ' font-family="DejaVu Sans, sans-serif"><title>{t}</title>{rows}</svg>'
    ).format(w=width, h=height, t=escape(title), rows=Markup("").join(rows))


def percent(rate: float | None) -> str:
    return "—" if rate is None else _("%(p)d %%", p=round(rate * 100))
