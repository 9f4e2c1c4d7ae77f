"""Importing one Word file in the browser: upload, a preview of what was read (metadata,
blocks, history; what was guessed marked; all of it correctable) beside the file's own text,
then one all-or-nothing save.

The blocks are corrected with the draft editor's block-editor.js over a hidden `content_json`
field; without JavaScript they are shown as read and saved as the file says."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import DomainError, ValidationFailed
from qms.core.permissions import Permission as P
from qms.core.permissions import permission_required
from qms.core.web import attach_error
from qms.documents.editor_forms import (
    check_blocks,
    content_to_json,
    editor_config,
    kind_label,
    parse_content_json,
)
from qms.documents.models import Document, DocumentType
from qms.documents.rendering import render_block
from qms.processes.models import Process
from qms.word.files import MAX_FILE_BYTES
from qms.word.import_forms import PreviewForm, UploadForm
from qms.word.importing import import_document, import_draft
from qms.word.parsed import HistoryRow, Parsed
from qms.word.placing import matching_process, matching_type, process_named
from qms.word.reading import read_bytes
from qms.word.source_view import source_html
from qms.word.urls import word_bp as bp

NEW = 0  # the select's value for "create it from the file"


@bp.get("/import")
@permission_required(P.DOCUMENT_IMPORT)
def upload() -> ResponseReturnValue:
    return render_template("word/import.html", form=UploadForm())


@bp.post("/import/preview")
@permission_required(P.DOCUMENT_IMPORT)
def preview() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("word/import.html", form=form), 400
    data = form.file.data.read(MAX_FILE_BYTES + 1)
    filename = form.file.data.filename or "documento.docx"
    try:
        if len(data) > MAX_FILE_BYTES:
            raise ValidationFailed(_("The file is too large."), field="file")
        parsed = read_bytes(data, filename)
    except ValidationFailed as error:
        attach_error(form, error)
        return render_template("word/import.html", form=form), 400
    filled = PreviewForm(formdata=None)
    _fill(filled, parsed, data, filename)
    return _preview_page(filled, parsed, data)


@bp.post("/import/save")
@permission_required(P.DOCUMENT_IMPORT)
def save() -> ResponseReturnValue:
    form = PreviewForm()
    data = _file_of(form)
    try:
        parsed = read_bytes(data, form.filename.data or "documento.docx")
    except ValidationFailed as error:
        attach_error(form, error)
        return render_template("word/import.html", form=UploadForm()), 400
    _choices(form, parsed)
    raw = request.form.get("content_json")  # None: no script ran, the blocks stay as read
    shown = None
    try:
        if raw is not None:
            shown = parse_content_json(raw)
            check_blocks(shown)
    except ValidationFailed as error:
        form.validate_on_submit()
        attach_error(form, error)
        return _preview_page(form, parsed, data, 400, content=shown)
    if not form.validate_on_submit():
        return _preview_page(form, parsed, data, 400, content=shown)
    corrected = _corrected(form, parsed, parsed.blocks if shown is None else shown)
    existing = _existing(corrected.code)
    if form.as_draft.data and existing is not None:
        return _save_as_draft(form, corrected, data, existing)
    try:
        imported = import_document(
            db.session,
            current_app.extensions["qms_store"],
            current_user,
            corrected,
            data=data,
            filename=form.filename.data or "documento.docx",
            process_id=form.process_id.data or None,
            type_id=form.type_id.data or None,
        )
        db.session.flush()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _preview_page(form, parsed, data, error.status_code, content=shown)
    flash(
        _(
            "%(code)s imported: version %(n)d with %(h)d earlier versions.",
            code=imported.code,
            n=imported.number,
            h=imported.history,
        ),
        "success",
    )
    return redirect(url_for("documents.show", document_id=imported.document_id))


def _existing(code: str) -> Document | None:
    return db.session.scalar(sa.select(Document).where(Document.code == code.strip().upper()))


def _save_as_draft(
    form: PreviewForm, parsed: Parsed, data: bytes, existing: Document
) -> ResponseReturnValue:
    try:
        imported = import_draft(
            db.session,
            current_app.extensions["qms_store"],
            current_user,
            existing.id,
            parsed,
            data=data,
            filename=form.filename.data or "documento.docx",
        )
        db.session.flush()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return _preview_page(form, parsed, data, error.status_code, content=parsed.blocks)
    flash(
        _("%(code)s: the file is now draft %(n)d.", code=imported.code, n=imported.number),
        "success",
    )
    return redirect(url_for("documents.edit", version_id=imported.version_id))


def _file_of(form: PreviewForm) -> bytes:
    try:
        data = base64.b64decode(form.file_data.data or "", validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(_("The request could not be understood.")) from None
    if not data or len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(_("The request could not be understood."))
    return data


def _choices(form: PreviewForm, parsed: Parsed) -> None:
    named = process_named(parsed)
    processes = db.session.scalars(
        sa.select(Process).where(Process.active).order_by(Process.code)
    ).all()
    form.process_id.choices = [(p.id, f"{p.code} · {p.name}") for p in processes]
    if named and matching_process(db.session, named) is None:
        form.process_id.choices.insert(0, (NEW, _("New process: %(name)s", name=named)))
    types = db.session.scalars(
        sa.select(DocumentType).where(DocumentType.active).order_by(DocumentType.name)
    ).all()
    form.type_id.choices = [(t.id, t.name) for t in types]
    if parsed.type_name and matching_type(db.session, parsed.type_name) is None:
        form.type_id.choices.insert(0, (NEW, _("New type: %(name)s", name=parsed.type_name)))


def _fill(form: PreviewForm, parsed: Parsed, data: bytes, filename: str) -> None:
    _choices(form, parsed)
    form.file_data.data = base64.b64encode(data).decode("ascii")
    form.filename.data = filename
    form.code.data = parsed.code
    form.title.data = parsed.title
    form.number.data = parsed.number or 1
    form.effective_from.data = parsed.effective_from
    named = process_named(parsed)
    process = matching_process(db.session, named) if named else None
    form.process_id.data = process.id if process else NEW
    doc_type = matching_type(db.session, parsed.type_name) if parsed.type_name else None
    form.type_id.data = doc_type.id if doc_type else NEW
    for row in parsed.history:
        form.history.append_entry(
            {"number": row.number, "on": row.on, "description": row.description, "who": row.who}
        )


def _corrected(form: PreviewForm, parsed: Parsed, blocks: list[Any]) -> Parsed:
    """What the file said, with the reader's corrections (named in `corrected` for the
    trail); the people as read."""
    history = [
        HistoryRow(
            number=entry.form.number.data,
            on=entry.form.on.data,
            description=(entry.form.description.data or "").strip(),
            who=(entry.form.who.data or "").strip(),
        )
        for entry in form.history
        if entry.form.number.data
    ]
    values = {
        "code": (form.code.data or "").strip(),
        "title": (form.title.data or "").strip(),
        "number": form.number.data,
        "effective_from": form.effective_from.data,
        "history": history,
        "content": blocks,
    }
    read = {
        "code": parsed.code,
        "title": parsed.title,
        "number": parsed.number,
        "effective_from": parsed.effective_from,
        "history": parsed.history,
        "content": parsed.blocks,
    }
    corrected = [key for key, value in values.items() if value != read[key]]
    # A block the reader corrected or moved is no longer the reader's guess.
    touched = "content" in corrected
    guessed = {k for k in parsed.guessed if not (touched and k.startswith("block:"))}
    return Parsed(
        code=values["code"],
        title=values["title"],
        number=form.number.data,
        effective_from=form.effective_from.data,
        process=parsed.process,
        macroprocess=parsed.macroprocess,
        responsible=parsed.responsible,
        type_name=parsed.type_name,
        people=parsed.people,
        blocks=blocks,
        history=history,
        guessed=guessed,
        corrected=corrected,
        notes=parsed.notes,
    )


def _preview_page(
    form: PreviewForm,
    parsed: Parsed,
    data: bytes,
    status: int = 200,
    content: list[Any] | None = None,
) -> Any:
    return (
        render_template(
            "word/preview.html",
            form=form,
            parsed=parsed,
            source=source_html(data),
            render_block=render_block,
            guessed_blocks=[
                (n, kind_label(block["kind"]))
                for n, block in enumerate(parsed.blocks, start=1)
                if f"block:{n - 1}" in parsed.guessed
            ],
            content_json=content_to_json(parsed.blocks if content is None else content),
            editor_config=editor_config(),
            existing=_existing(form.code.data or parsed.code),
        ),
        status,
    )
