"""Document pages: the list, one document, one version, downloads, creating and editing drafts.

Every read first applies due transitions, so a version whose effective day has come shows as
in force without waiting for `qms tick`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, current_app, flash, redirect, render_template, request
from flask import url_for as flask_url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.blobs.attached import download_headers
from qms.core.db import db
from qms.core.errors import Conflict, ValidationFailed
from qms.core.links import has_endpoint, optional_url
from qms.core.permissions import Permission, can, permission_required, require
from qms.core.web import attach_error
from qms.documents import authoring, queries
from qms.documents.attachments import read_attachment, remove_attachment
from qms.documents.editor_forms import (
    check_blocks,
    content_to_json,
    editor_config,
    kind_label,
    parse_content_json,
)
from qms.documents.forms import (
    AttachmentForm,
    CorrectCodeForm,
    DocumentCreateForm,
    DocumentFilterForm,
    RemoveAttachmentForm,
    StartDraftForm,
    apply_operation,
    draft_form,
    posted_blocks,
)
from qms.documents.history import version_history
from qms.documents.in_force import shown_state
from qms.documents.lifecycle import duties_conflict
from qms.documents.models import (
    Document,
    DocumentType,
    DocumentVersion,
    VersionState,
)
from qms.documents.paper_signers import paper_signers
from qms.documents.rendering import render_block
from qms.documents.sign_forms import MEANING_LABELS
from qms.documents.urls import documents_bp as bp
from qms.processes.queries import list_processes, processes_of_user
from qms.users.models import User

P = Permission


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"has_endpoint": has_endpoint, "render_block": render_block, "shown_state": shown_state}


@bp.get("/")
@permission_required(P.DOCUMENT_READ)
def index() -> str:
    filters = DocumentFilterForm(formdata=request.args)
    everything = [("", _("All"))]
    processes = list_processes(db.session, current_user)
    filters.process_id.choices = everything + [(p.id, f"{p.code} · {p.name}") for p in processes]
    types = queries.list_types(db.session)
    filters.type_id.choices = everything + [(t.id, t.name) for t in types]
    rows = queries.list_documents(
        db.session,
        current_user,
        process_id=filters.process_id.data,
        type_id=filters.type_id.data,
        text=(filters.q.data or "")[:100],
    )
    return render_template("documents/index.html", rows=rows, filters=filters)


@bp.get("/<int:document_id>")
@permission_required(P.DOCUMENT_READ)
def show(document_id: int) -> ResponseReturnValue:
    document = queries.get_document(db.session, current_user, document_id)
    return _render_show(document)


def _render_show(document: Document, status: int = 200, **forms: Any) -> ResponseReturnValue:
    session, actor = db.session, current_user
    current = queries.version_in_force(session, document.id)
    pending = queries.open_version(session, document.id)
    if pending is not None and not queries.can_see_version(actor, pending):
        pending = None
    may_edit = can(actor, P.DOCUMENT_EDIT, document)
    values = {
        "start_form": StartDraftForm(formdata=None),
        "code_form": CorrectCodeForm(formdata=None),
        **forms,
    }
    html = render_template(
        "documents/show.html",
        document=document,
        current=current,
        pending=pending,
        history=version_history(session, actor, document),
        next_review=queries.next_review_on(session, document),
        may_edit=may_edit,
        may_start=may_edit and current is not None and pending is None,
        may_correct_code=not document.code_locked and can(actor, P.DOCUMENT_CORRECT_CODE),
        signing_links=_signing_links(document, current, pending),
        **values,
    )
    return html, status


def _signing_links(
    document: Document, current: DocumentVersion | None, pending: DocumentVersion | None
) -> list[tuple[str, str]]:
    """(label, url) of the signing pages this reader may use; absent routes are left out."""
    actor, S = current_user, VersionState
    wanted: list[tuple[str, str, dict[str, int]]] = []
    if pending is not None:
        if pending.state == S.DRAFT and can(actor, P.DOCUMENT_EDIT, document):
            wanted += [
                (_("Submit for review"), "signing.submit", {"version_id": pending.id}),
                (_("Discard the draft"), "signing.discard", {"version_id": pending.id}),
            ]
        if pending.author_id != actor.id and queries.is_named_signer(actor, pending):
            stage = "signing.review" if pending.state == S.IN_REVIEW else "signing.approve"
            label = _("Review") if pending.state == S.IN_REVIEW else _("Approve")
            if not duties_conflict(pending, actor):  # a reviewer does not approve too
                wanted.append((label, stage, {"version_id": pending.id}))
            wanted.append((_("Reject"), "signing.reject", {"version_id": pending.id}))
    if current is not None:
        if can(actor, P.DOCUMENT_PERIODIC_REVIEW, document):
            label = _("Reviewed, no change")
            wanted.append((label, "signing.periodic_review", {"document_id": document.id}))
        if can(actor, P.DOCUMENT_WITHDRAW, document):
            wanted.append((_("Withdraw"), "signing.withdraw", {"document_id": document.id}))
    if queries.can_see_history(actor, document) and len(document.versions) > 1:
        wanted.append((_("Compare versions"), "signing.compare", {"document_id": document.id}))
    links = [(label, optional_url(endpoint, **values)) for label, endpoint, values in wanted]
    return [(label, url) for label, url in links if url]


@bp.get("/versions/<int:version_id>")
@permission_required(P.DOCUMENT_READ)
def version(version_id: int) -> str:
    shown = queries.get_version(db.session, current_user, version_id)
    document = shown.document
    return render_template(
        "documents/version.html",
        version=shown,
        document=document,
        may_edit=shown.state == VersionState.DRAFT and can(current_user, P.DOCUMENT_EDIT, document),
        paper_signers=paper_signers(shown),
        meaning_labels=MEANING_LABELS,
    )


@bp.get("/attachments/<int:attachment_id>")
@permission_required(P.DOCUMENT_READ)
def attachment(attachment_id: int) -> Response:
    store = current_app.extensions["qms_store"]
    found, data = read_attachment(db.session, store, current_user, attachment_id)
    return Response(data, headers=download_headers(found))


@bp.route("/new", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_CREATE, own=True)
def create() -> ResponseReturnValue:
    form = DocumentCreateForm()
    _create_choices(form)
    if request.method == "GET":
        form.owner_id.data = current_user.id
    if form.validate_on_submit():
        doc_type = db.session.get(DocumentType, form.type_id.data or 0)
        external = doc_type is not None and doc_type.is_external
        try:
            document = authoring.create_document(
                db.session,
                current_user,
                type_id=form.type_id.data or 0,
                process_id=form.process_id.data or 0,
                title=form.title.data or "",
                code=form.code.data or "",
                owner_id=form.owner_id.data,
                parent_id=form.parent_id.data,
                review_interval_months=form.review_interval_months.data,
                retention_years=form.retention_years.data or 0,
                external_source=(form.external_source.data or "") if external else "",
                external_edition=(form.external_edition.data or "") if external else "",
                next_verification_on=form.next_verification_on.data if external else None,
            )
        except ValidationFailed as error:
            attach_error(form, error)
        else:
            flash(_("Document %(code)s created.", code=document.code), "success")
            return redirect(flask_url_for(".edit", version_id=document.versions[0].id))
    status = 400 if request.method == "POST" else 200
    return render_template("documents/new.html", form=form), status


@bp.route("/versions/<int:version_id>/edit", methods=["GET", "POST"])
@permission_required(P.DOCUMENT_EDIT, own=True)
def edit(version_id: int) -> ResponseReturnValue:
    draft = _editable_draft(version_id)
    if draft is None:
        flash(_("Only a draft can be edited; this version was submitted."), "warning")
        return redirect(flask_url_for(".version", version_id=version_id))
    form = draft_form(draft, fill=request.method == "GET")
    # Sent by block-editor.js; without JavaScript the per-block fields are posted instead.
    raw = request.form.get("content_json") if request.method == "POST" else None
    shown: list[Any] | None = None
    if form.validate_on_submit():
        try:
            if raw is not None:
                blocks, anchor = parse_content_json(raw), "content"
                shown = blocks
            else:
                blocks = posted_blocks(form, draft)
                blocks, anchor = apply_operation(blocks, request.form.get("op", "save"))
            check_blocks(blocks)
            authoring.update_draft(
                db.session,
                current_user,
                draft.id,
                content=blocks,
                change_summary=form.change_summary.data or "",
            )
        except ValidationFailed as error:
            if shown is not None:  # show what was sent, so that nothing typed is lost
                summary = form.change_summary.data
                form = draft_form(draft, fill=True, content=shown, summary=summary)
            attach_error(form, error)
        else:
            flash(_("Draft saved."), "success")
            return redirect(flask_url_for(".edit", version_id=draft.id, _anchor=anchor))
    status = 400 if request.method == "POST" else 200
    return _render_edit(draft, form, status=status, content=shown)


def _render_edit(
    draft: DocumentVersion,
    form: Any,
    status: int = 200,
    content: list[Any] | None = None,
    **forms: Any,
) -> tuple[str, int]:
    values = {
        "upload_form": AttachmentForm(formdata=None),
        "remove_form": RemoveAttachmentForm(formdata=None),
        **forms,
    }
    html = render_template(
        "documents/edit.html",
        version=draft,
        document=draft.document,
        form=form,
        content_json=content_to_json(draft.content if content is None else content),
        editor_config=editor_config(),
        kind_label=kind_label,
        **values,
    )
    return html, status


@bp.post("/versions/<int:version_id>/attachments")
@permission_required(P.DOCUMENT_EDIT, own=True)
def upload(version_id: int) -> ResponseReturnValue:
    draft = _editable_draft(version_id)
    if draft is None:
        raise Conflict(_("Only a draft can be edited; this version was submitted."))
    upload_form = AttachmentForm()
    if upload_form.validate_on_submit():
        file = upload_form.file.data
        authoring.add_attachment(
            db.session,
            current_app.extensions["qms_store"],
            current_user,
            draft.id,
            data=file.stream,
            filename=file.filename or "",
            media_type=file.mimetype or "",
        )
        flash(_("File attached."), "success")
        return redirect(flask_url_for(".edit", version_id=draft.id, _anchor="attachments"))
    return _render_edit(draft, draft_form(draft, fill=True), 400, upload_form=upload_form)


@bp.post("/attachments/<int:attachment_id>/remove")
@permission_required(P.DOCUMENT_EDIT, own=True)
def remove(attachment_id: int) -> ResponseReturnValue:
    form = RemoveAttachmentForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("The request could not be understood."))
    draft = remove_attachment(db.session, current_user, attachment_id)
    flash(_("File removed."), "success")
    return redirect(flask_url_for(".edit", version_id=draft.id, _anchor="attachments"))


@bp.post("/<int:document_id>/new-version")
@permission_required(P.DOCUMENT_EDIT, own=True)
def start_draft(document_id: int) -> ResponseReturnValue:
    document = queries.get_document(db.session, current_user, document_id)
    form = StartDraftForm()
    if not form.validate_on_submit():
        return _render_show(document, 400, start_form=form)
    draft = authoring.start_draft(db.session, current_user, document.id)
    flash(_("Version %(number)d started as a copy of the one in force.", number=draft.number))
    return redirect(flask_url_for(".edit", version_id=draft.id))


@bp.post("/<int:document_id>/code")
@permission_required(P.DOCUMENT_CORRECT_CODE)
def correct_code(document_id: int) -> ResponseReturnValue:
    document = queries.get_document(db.session, current_user, document_id)
    form = CorrectCodeForm()
    if form.validate_on_submit():
        try:
            authoring.correct_code(
                db.session, current_user, document.id, form.code.data or "", form.reason.data or ""
            )
        except (ValidationFailed, Conflict) as error:
            attach_error(form, error)
            return _render_show(document, error.status_code, code_form=form)
        flash(_("Code corrected: %(code)s.", code=document.code), "success")
        return redirect(flask_url_for(".show", document_id=document.id))
    return _render_show(document, 400, code_form=form)


def _editable_draft(version_id: int) -> DocumentVersion | None:
    """The version if the reader may edit its document (else 404/403); None unless a draft."""
    found = queries.get_version(db.session, current_user, version_id)
    require(current_user, P.DOCUMENT_EDIT, found.document)
    return found if found.state == VersionState.DRAFT else None


def _create_choices(form: DocumentCreateForm) -> None:
    """Active types; the processes the actor may create in; active users; visible documents."""
    session, actor = db.session, current_user
    if can(actor, P.DOCUMENT_CREATE):
        processes = list_processes(session, actor)
    else:
        led, member_of = processes_of_user(session, actor.id)
        processes = [p for p in {p.id: p for p in [*led, *member_of]}.values() if p.active]
    users = session.scalars(sa.select(User).where(User.active.is_(True))).all()
    parents = [
        row[0]
        for row in queries.list_documents(
            db.session, current_user, process_id=None, type_id=None, text=""
        )
    ]
    form.set_choices(queries.list_types(session), processes, list(users), parents)
