"""Nonconformity pages (ISO 9001 clause 10.2): list, report, detail, accept, discard, contain.

The treatment steps (analysis, actions, plan, effectiveness, close, notes) live in
`qms.capa.treatment_views` and route on the same blueprint (`qms.capa.urls`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from qms.capa import pqrs, services
from qms.capa.diagrams import five_whys_svg, ishikawa_svg
from qms.capa.evidence import evidence_of
from qms.capa.forms import (
    ACTION_STATUS_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    METHOD_LABELS,
    RESULT_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATE_LABELS,
    AcceptForm,
    ActionForm,
    ActionUpdateForm,
    AnalysisForm,
    CloseForm,
    ContainForm,
    DiscardForm,
    EffectivenessForm,
    EvidenceForm,
    FilterForm,
    NoteForm,
    PlanForm,
    ReportForm,
)
from qms.capa.lifecycle import OPEN_ACTION
from qms.capa.models import AnalysisMethod, NcSource, NcState, Nonconformity, RootCauseAnalysis
from qms.capa.nc_filters import AGE_BUCKETS, NcFilter, read_filter, with_origins
from qms.capa.origins import OriginLink, list_origins
from qms.capa.pqrs_models import PqrsRequest
from qms.capa.urls import capa_bp as bp
from qms.core.db import db
from qms.core.errors import NotFound, ValidationFailed
from qms.core.forms import optional_int, unique_ids
from qms.core.links import optional_url
from qms.core.permissions import Permission, can, permission_required
from qms.core.timefmt import format_day
from qms.core.web import attach_error
from qms.documents import approval, iso9001
from qms.documents.links import document_url
from qms.documents.models import Document
from qms.documents.queries import find_document
from qms.processes.models import Process
from qms.users.models import User

P = Permission
CUSTOMER_COMMUNICATION = "8.2.1"  # ISO 9001: where handling customer complaints belongs


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "es"


def _labels() -> dict[str, Any]:
    return {
        "state_labels": STATE_LABELS,
        "source_labels": SOURCE_LABELS,
        "severity_labels": SEVERITY_LABELS,
        "method_labels": METHOD_LABELS,
        "kind_labels": KIND_LABELS,
        "action_status_labels": ACTION_STATUS_LABELS,
        "result_labels": RESULT_LABELS,
        "category_labels": CATEGORY_LABELS,
        "category_keys": ", ".join(f"{key} = {label}" for key, label in CATEGORY_LABELS.items()),
    }


def active_users() -> list[User]:
    stmt = sa.select(User).where(User.active.is_(True)).order_by(User.full_name)
    return list(db.session.scalars(stmt))


def diagram(nc: Nonconformity, analysis: RootCauseAnalysis) -> Markup | None:
    """The analysis drawn from its stored data: 5 whys or Ishikawa, roots highlighted."""
    data = analysis.data or {}
    if analysis.method == AnalysisMethod.FIVE_WHYS and data.get("whys"):
        roots = {int(i) for i in data.get("root_causes") or []}
        return five_whys_svg(
            nc.title, list(data["whys"]), roots, why_label=_("Why?"), root_label=_("Root cause")
        )
    if analysis.method == AnalysisMethod.ISHIKAWA and data.get("causes"):
        chosen = {(str(c), int(i)) for c, i in data.get("root_causes") or []}
        labels = {key: str(label) for key, label in CATEGORY_LABELS.items()}
        return ishikawa_svg(nc.title, dict(data["causes"]), chosen, labels=labels)
    return None


def _earlier_rounds(nc: Nonconformity) -> list[dict[str, Any]]:
    return [
        {
            "round": number,
            "analyses": [a for a in nc.analyses if a.round == number],
            "actions": [a for a in nc.actions if a.round == number],
        }
        for number in range(1, nc.round)
    ]


def render_detail(nc: Nonconformity, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """The detail page with the forms of the next step; `forms` carries a failed one back."""
    session, user = db.session, current_user
    values: dict[str, Any] = {
        "accept_form": AcceptForm(formdata=None),
        "discard_form": DiscardForm(formdata=None),
        "contain_form": ContainForm(formdata=None),
        "analysis_form": AnalysisForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "plan_form": PlanForm(formdata=None),
        "check_form": EffectivenessForm(formdata=None),
        "close_form": CloseForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "evidence_form": EvidenceForm(formdata=None),
        **forms,
    }
    values["evidence_form"].set_actions(nc.current_actions())
    actions = nc.current_actions()
    if nc.state == NcState.ANALYSED:
        values["action_form"].set_owners(active_users())
    update_forms = {}
    if nc.state == NcState.IN_PROGRESS:
        for action in actions:
            if action.status in OPEN_ACTION and can(user, P.CAPA_ACTION_UPDATE, action):
                fresh = ActionUpdateForm(
                    formdata=None, progress=action.progress, evidence=action.evidence
                )
                update_forms[action.id] = forms.get(f"update_{action.id}") or unique_ids(
                    fresh, str(action.id)
                )
    ids = {nc.decided_by_id, nc.contained_by_id, *(n.author_id for n in nc.notes)}
    people = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(ids - {None})))}
    round_checks = [c for c in nc.checks if c.round == nc.round]
    # Where it came from, told by the packages that raise nonconformities (audits import capa,
    # never the reverse): each registered function returns {"label", "url"} or None.
    origin_of = current_app.extensions.get("qms_nonconformity_origins", [])
    origins = [o for o in (f(session, user, nc) for f in origin_of) if o]
    html = render_template(
        "capa/show.html",
        nc=nc,
        analysis=nc.current_analysis(),
        actions=actions,
        earlier=_earlier_rounds(nc),
        round_checks=round_checks,
        origins=origins,
        similar=services.similar_nonconformities(session, user, nc)
        if nc.state in (NcState.REPORTED, NcState.ACCEPTED, NcState.CONTAINED)
        else [],
        people=people,
        document=session.get(Document, nc.document_id) if nc.document_id else None,
        clause_title=iso9001.title_of(nc.iso_clause, _language()) if nc.iso_clause else None,
        diagram=lambda analysis: diagram(nc, analysis),
        document_url=document_url,
        optional_url=optional_url,
        update_forms=update_forms,
        evidence=evidence_of(session, nc.id),
        may={
            "decide": can(user, P.NONCONFORMITY_DECIDE, nc),
            "treat": can(user, P.NONCONFORMITY_TREAT, nc),
            "approve": can(user, P.NONCONFORMITY_APPROVE_PLAN, nc),
            "sign": can(user, P.EFFECTIVENESS_SIGN, nc),
            "close": can(user, P.NONCONFORMITY_CLOSE, nc),
        },
        **values,
        **_labels(),
    )
    return html, status


def step(
    nc_id: int,
    key: str,
    form: Any,
    call: Callable[[Nonconformity], Any],
    done: str,
    *,
    aliases: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """One POSTed step: run the service, then back to the detail page with a message; a
    ValidationFailed shows the page again with the error beside its field (400)."""
    nc = services.get_nonconformity(db.session, current_user, nc_id)
    if form.validate_on_submit():
        try:
            call(nc)
        except ValidationFailed as error:
            # A recorded refusal (a wrong signing password) keeps its trail event: attach_error.
            if not error.recorded:
                # Undo any half-made change, so that the page shows the record as it is.
                db.session.rollback()
                nc = services.get_nonconformity(db.session, current_user, nc_id)
            attach_error(form, error, aliases=aliases)
        else:
            flash(done, "success")
            return redirect(url_for("capa.show", nc_id=nc_id))
    return render_detail(nc, 400, **{key: form})


def _filter_form(found: NcFilter) -> FilterForm:
    data: dict[str, Any] = {**found.args(), "overdue": bool(found.overdue)}
    data["process_id"] = data.pop("process", "")
    form = FilterForm(formdata=None, data=data)
    everything = [SelectChoice("", _("All"))]
    form.clause.choices = everything + [
        SelectChoice(c["number"], f"{c['number']} {c['title']}")
        for c in iso9001.clauses(_language())
    ]
    processes = db.session.scalars(sa.select(Process).order_by(Process.code))
    form.process_id.choices = everything + [
        SelectChoice(str(p.id), f"{p.code} · {p.name}") for p in processes
    ]
    audits = next((o for o in list_origins() if o.name == "audit"), None)
    form.audit.choices = everything + [
        SelectChoice(value, label)
        for value, label in (audits.choices(db.session, current_user) if audits else [])
    ]
    return form


@bp.get("/")
@permission_required(P.NONCONFORMITY_REPORT)
def index() -> ResponseReturnValue:
    # Read leniently: an unknown value is no filter, never a 400.
    found = read_filter(request.args)
    where = with_origins(found, approval.today())
    rows = services.list_nonconformities(db.session, current_user, where=where)
    ids = [nc.id for nc in rows]
    origin_links: dict[int, list[OriginLink]] = {}
    for origin in list_origins():
        for nc_id, link in origin.links(db.session, current_user, ids).items():
            origin_links.setdefault(nc_id, []).append(link)
    return render_template(
        "capa/index.html",
        filters=_filter_form(found),
        found=found,
        filter_args=found.args(),
        age_label=AGE_BUCKETS[int(found.age)][2] if found.age else "",
        rows=rows,
        origin_links=origin_links,
        clause_title=lambda number: iso9001.title_of(number, _language()),
        **_labels(),
    )


def _document_id(code: str | None) -> int | None:
    code = (code or "").strip()
    if not code:
        return None
    try:
        return find_document(db.session, current_user, code).id
    except NotFound:
        raise ValidationFailed(_("No document has this code."), field="document_code") from None


def _late_pqrs() -> PqrsRequest | None:
    """The request whose late answer this report is about (?pqrs=id), when one is named."""
    request_id = optional_int(request.args.get("pqrs"))
    if request_id is None:
        return None
    return pqrs.get_pqrs(db.session, current_user, request_id)


def _from_late_answer(form: ReportForm, found: PqrsRequest) -> None:
    """First values of a report about an answer given outside the legal term."""
    facts = pqrs.late_answer_facts(found)
    form.source.data = NcSource.PQRS.value
    form.process_id.data = facts["process_id"]
    form.title.data = _("%(code)s answered outside the legal term", code=facts["code"])
    form.description.data = _(
        "Request %(code)s, received on %(received)s, was answered on %(answered)s; its legal "
        "term ran out on %(due)s (%(n)d business days late).",
        code=facts["code"],
        received=format_day(facts["received_on"]),
        answered=format_day(facts["answered_on"]),
        due=format_day(facts["term_due_on"]),
        n=facts["late_days"],
    )
    form.detected_on.data = facts["answered_on"]
    form.iso_clause.data = CUSTOMER_COMMUNICATION


@bp.route("/new", methods=["GET", "POST"])
@permission_required(P.NONCONFORMITY_REPORT)
def new() -> ResponseReturnValue:
    form = ReportForm()
    processes = db.session.scalars(
        sa.select(Process).where(Process.active.is_(True)).order_by(Process.code)
    )
    form.set_choices(list(processes), iso9001.clauses(_language()))
    late = _late_pqrs()
    if late is not None and request.method == "GET":
        _from_late_answer(form, late)
    if form.validate_on_submit():
        try:
            nc = services.report_nonconformity(
                db.session,
                current_user,
                source=form.source.data or "",
                process_id=form.process_id.data or 0,
                title=form.title.data or "",
                description=form.description.data or "",
                detected_on=form.detected_on.data,
                detected_by=form.detected_by.data or "",
                severity=form.severity.data or "",
                document_id=_document_id(form.document_code.data),
                iso_clause=form.iso_clause.data or "",
            )
        except ValidationFailed as error:
            attach_error(form, error, aliases={"document_id": "document_code"})
        else:
            if late is not None and can(current_user, P.PQRS_MANAGE, late):
                pqrs.link_nonconformity(db.session, current_user, late.id, nc)
            flash(_("Nonconformity %(code)s reported.", code=nc.code), "success")
            return redirect(url_for(".show", nc_id=nc.id))
    status = 400 if request.method == "POST" else 200
    return render_template("capa/new.html", form=form, late_pqrs=late), status


@bp.get("/<int:nc_id>")
@permission_required(P.NONCONFORMITY_REPORT)
def show(nc_id: int) -> ResponseReturnValue:
    return render_detail(services.get_nonconformity(db.session, current_user, nc_id))


@bp.post("/<int:nc_id>/accept")
@permission_required(P.NONCONFORMITY_DECIDE, own=True)
def accept(nc_id: int) -> ResponseReturnValue:
    return step(
        nc_id,
        "accept_form",
        AcceptForm(),
        lambda nc: services.accept_nonconformity(db.session, current_user, nc.id),
        _("Nonconformity accepted."),
    )


@bp.post("/<int:nc_id>/discard")
@permission_required(P.NONCONFORMITY_DECIDE, own=True)
def discard(nc_id: int) -> ResponseReturnValue:
    form = DiscardForm()
    return step(
        nc_id,
        "discard_form",
        form,
        lambda nc: services.discard_nonconformity(
            db.session, current_user, nc.id, form.reason.data or ""
        ),
        _("Nonconformity discarded."),
    )


@bp.post("/<int:nc_id>/contain")
@permission_required(P.NONCONFORMITY_TREAT, own=True)
def contain(nc_id: int) -> ResponseReturnValue:
    form = ContainForm()
    return step(
        nc_id,
        "contain_form",
        form,
        lambda nc: services.contain_nonconformity(
            db.session, current_user, nc.id, form.containment.data or ""
        ),
        _("Containment recorded."),
    )
