"""An audit's own page (the plan, its state, the next step) and the plan's agenda.

The checklist pages live in `qms.audits.work_checklist_views`, findings and the report in
`qms.audits.work_report_views`; all route on `audit_work` (`qms.audits.urls`). Views are thin:
they parse a form, call a service and redirect; a service's error is shown beside its field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from qms.audits import agenda, services
from qms.audits.findings import finding_of_nonconformity
from qms.audits.labels import all_labels
from qms.audits.lifecycle import PLANNING_STATES
from qms.audits.models import AgendaItem, Audit, AuditState, ReportSignatureMeaning
from qms.audits.urls import audit_work_bp as bp
from qms.audits.work_forms import (
    AcceptReportForm,
    ActionForm,
    AgendaItemForm,
    FindingForm,
    IssueReportForm,
    ReportTextForm,
)
from qms.capa.models import Nonconformity
from qms.core.db import db
from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.links import optional_url
from qms.core.permissions import Permission, can, permission_required
from qms.core.web import attach_error
from qms.documents import iso9001
from qms.users.auth import SignatureRefused
from qms.users.models import User

P = Permission
S = AuditState


def language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "es"


def may(audit: Audit, user: Any) -> dict[str, bool]:
    """What the reader may do next on this audit (the services check again)."""
    manage = can(user, P.AUDIT_PROGRAMME_MANAGE)
    conduct = can(user, P.AUDIT_CONDUCT)
    on_team = audit.is_on_team(user.id)
    lead = audit.lead_auditor_id == user.id
    planning = audit.state in PLANNING_STATES
    accepted = any(
        s.meaning == ReportSignatureMeaning.ACCEPTED and s.user_id == user.id
        for s in audit.signatures
    )
    return {
        "edit_agenda": planning and conduct and (manage or lead),
        "edit_checklist": planning and conduct and (manage or on_team),
        "notify": audit.state == S.PLANNED and conduct and (manage or lead),
        "start": audit.state == S.PLAN_NOTIFIED and conduct and on_team,
        "conduct": audit.state == S.IN_PROGRESS and conduct and on_team,
        "issue": audit.state == S.IN_PROGRESS and conduct and lead,
        "open_nc": audit.state in (S.IN_PROGRESS, S.REPORT_ISSUED)
        and conduct
        and (manage or on_team),
        "accept": audit.state == S.REPORT_ISSUED
        and can(user, P.AUDIT_REPORT_ACCEPT)
        and audit.leads_audited_process(user.id)
        and not accepted,
        "close": audit.state == S.REPORT_ISSUED and manage,
    }


def _people(audit: Audit) -> dict[int, User]:
    ids = {m.justified_by_id for m in audit.team} - {None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


def _nonconformities(audit: Audit) -> dict[int, Nonconformity]:
    ids = [f.nonconformity_id for f in audit.findings if f.nonconformity_id]
    if not ids:
        return {}
    stmt = sa.select(Nonconformity).where(Nonconformity.id.in_(ids))
    return {nc.id: nc for nc in db.session.scalars(stmt)}


def render_show(audit: Audit, status: int = 200, **forms: Any) -> ResponseReturnValue:
    """The audit's page with the forms of the next step; `forms` carries a failed one back."""
    values: dict[str, Any] = {
        "agenda_form": AgendaItemForm(formdata=None, day=audit.start_on),
        "action_form": ActionForm(formdata=None),
        "finding_form": FindingForm(formdata=None),
        "report_form": ReportTextForm(formdata=None, obj=audit),
        "issue_form": IssueReportForm(formdata=None),
        "accept_form": AcceptReportForm(formdata=None),
        "close_form": ActionForm(formdata=None),
        "open_nc_form": ActionForm(formdata=None),
        **forms,
    }
    questions = [q for q in audit.questions if not q.withdrawn]
    values["agenda_form"].set_processes(audit.processes)
    values["finding_form"].set_choices(audit.processes, iso9001.clauses(language()), questions)
    html = render_template(
        "audits/show.html",
        audit=audit,
        may=may(audit, current_user),
        people=_people(audit),
        nonconformities=_nonconformities(audit),
        clauses=[(c, iso9001.title_of(c, language()) or "") for c in audit.clauses or []],
        questions_total=len(questions),
        questions_answered=sum(1 for q in questions if q.answer),
        optional_url=optional_url,
        **values,
        **all_labels(),
    )
    return html, status


Render = Callable[..., Any]


def show_error(form: Any, error: ValidationFailed | Conflict) -> None:
    """Beside its field when the form's values were wrong; at the top of the page when the
    audit's state refuses the step (the form may no longer be shown)."""
    if isinstance(error, Conflict):
        flash(error.message, "error")
    else:
        attach_error(form, error)


def step(
    audit_id: int,
    key: str,
    form: Any,
    call: Callable[[Audit], Any],
    done: str | Callable[[Any], str],
    *,
    render: Render | None = None,
    endpoint: str = "audit_work.show",
    anchor: str | None = None,
) -> ResponseReturnValue:
    """One POSTed step: run the service, then back to the page with a message; a refusal in
    domain terms (invalid, or the state does not allow it) shows the page again with the
    message beside its field."""
    render = render or render_show
    audit = services.get_audit(db.session, current_user, audit_id)
    if form.validate_on_submit():
        try:
            result = call(audit)
        except (ValidationFailed, Conflict) as error:
            # A recorded refusal (a wrong signing password) keeps its trail event: attach_error.
            if not error.recorded:
                # Undo any half-made change, so that the page shows the audit as it is.
                db.session.rollback()
                audit = services.get_audit(db.session, current_user, audit_id)
            show_error(form, error)
            # A wrong password is the form's wrong value here (400); the API answers 403.
            status = 400 if isinstance(error, SignatureRefused) else error.status_code
            return render(audit, status, **{key: form})
        flash(done(result) if callable(done) else done, "success")
        return redirect(url_for(endpoint, audit_id=audit_id, _anchor=anchor))
    return render(audit, 400, **{key: form})


@bp.get("/<int:audit_id>")
@permission_required(P.AUDIT_READ_ALL, own=True)
def show(audit_id: int) -> ResponseReturnValue:
    return render_show(services.get_audit(db.session, current_user, audit_id))


@bp.post("/<int:audit_id>/notify")
@permission_required(P.AUDIT_CONDUCT)
def notify(audit_id: int) -> ResponseReturnValue:
    def call(audit: Audit) -> None:
        from qms.audits.notify import notify_plan  # written alongside; imported when used

        notify_plan(db.session, current_user, audit.id)

    return step(
        audit_id,
        "action_form",
        ActionForm(),
        call,
        _("The audit plan was sent to the auditees."),
    )


@bp.post("/<int:audit_id>/start")
@permission_required(P.AUDIT_CONDUCT)
def start(audit_id: int) -> ResponseReturnValue:
    return step(
        audit_id,
        "action_form",
        ActionForm(),
        lambda audit: services.start_audit(db.session, current_user, audit.id),
        _("The audit is in progress: answer the checklist and record the findings."),
    )


@bp.post("/<int:audit_id>/agenda")
@permission_required(P.AUDIT_CONDUCT)
def add_agenda_item(audit_id: int) -> ResponseReturnValue:
    form = AgendaItemForm()
    audit = services.get_audit(db.session, current_user, audit_id)
    form.set_processes(audit.processes)
    return step(
        audit_id,
        "agenda_form",
        form,
        lambda audit: agenda.add_agenda_item(
            db.session,
            current_user,
            audit.id,
            kind=form.kind.data or "",
            day=form.day.data,
            starts_at=form.starts_at.data or "",
            ends_at=form.ends_at.data or "",
            process_id=form.process_id.data,
            topic=form.topic.data or "",
            participants=form.participants.data or "",
        ),
        _("Agenda item added."),
        anchor="agenda",
    )


@bp.post("/<int:audit_id>/agenda/default")
@permission_required(P.AUDIT_CONDUCT)
def add_default_agenda(audit_id: int) -> ResponseReturnValue:
    return step(
        audit_id,
        "action_form",
        ActionForm(),
        lambda audit: agenda.add_default_agenda(db.session, current_user, audit.id),
        lambda items: _("%(count)d agenda items added: adjust them as needed.", count=len(items)),
        anchor="agenda",
    )


@bp.post("/agenda/<int:item_id>/remove")
@permission_required(P.AUDIT_CONDUCT)
def remove_agenda_item(item_id: int) -> ResponseReturnValue:
    item = db.session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(_("Agenda item not found."))
    return step(
        item.audit_id,
        "action_form",
        ActionForm(),
        lambda audit: agenda.remove_agenda_item(db.session, current_user, item_id),
        _("Agenda item removed."),
        anchor="agenda",
    )


def nonconformity_origin(session: Any, actor: Any, nc: Any) -> dict[str, Any] | None:
    """For the nonconformity page: the audit finding it came from, linked when visible."""
    finding = finding_of_nonconformity(session, nc.id)
    if finding is None:
        return None
    audit = finding.audit
    visible = services.can_see(actor, audit)
    return {
        "label": _(
            "From internal audit %(code)s finding %(seq)d", code=audit.code, seq=finding.seq
        ),
        "url": url_for("audit_work.show", audit_id=audit.id, _anchor=f"finding-{finding.seq}")
        if visible
        else None,
    }
