"""Bulk import in the browser: Word files or .zip archives of them, and an optional master
list, imported on a worker thread; the batch's page follows its progress, then reports each
file. A batch is seen by whoever started it and whoever may import; others get a 404."""

from __future__ import annotations

from pathlib import PurePosixPath

import sqlalchemy as sa
from flask import current_app, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from qms.core.db import db
from qms.core.errors import ValidationFailed
from qms.core.permissions import Permission as P
from qms.core.permissions import permission_required
from qms.core.web import attach_error
from qms.documents.block_kinds import kind_of
from qms.word.batch import mark_stalled, start_batch, visible_batch
from qms.word.bulk_forms import BulkForm
from qms.word.completing import FIELD_NAMES
from qms.word.files import entries_uploaded
from qms.word.master_list import MAX_BYTES, Listing, read_master_list
from qms.word.models import BatchState, ImportBatch
from qms.word.urls import word_bp as bp

REFRESH_S = 2
RECENT = 10


@bp.get("/import/bulk")
@permission_required(P.DOCUMENT_IMPORT)
def bulk() -> ResponseReturnValue:
    return _form_page(BulkForm())


@bp.post("/import/bulk")
@permission_required(P.DOCUMENT_IMPORT)
def bulk_start() -> ResponseReturnValue:
    form = BulkForm()
    if not form.validate_on_submit():
        return _form_page(form, 400)
    # The request as a whole is held to MAX_CONTENT_LENGTH, so these are too, together.
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or MAX_BYTES
    uploads = [
        (_plain_name(upload.filename), upload.read(limit + 1))
        for upload in form.files.data
        if upload.filename
    ]
    if sum(len(data) for _name, data in uploads) > limit:
        form.files.errors.append(_("The files are too large together."))
        return _form_page(form, 413)
    try:
        listing = _listing(form)
    except ValidationFailed as error:
        attach_error(form, error)
        return _form_page(form, 400)
    entries = entries_uploaded(uploads)
    if not entries:
        form.files.errors.append(_("No Word (.docx) file was found in what was sent."))
        return _form_page(form, 400)
    batch = start_batch(
        db.session, current_user, entries, listing, [name for name, _data in uploads]
    )
    return redirect(url_for(".bulk_status", batch_id=batch.id))


@bp.get("/import/bulk/<int:batch_id>")
@permission_required(P.DOCUMENT_READ)
def bulk_status(batch_id: int) -> ResponseReturnValue:
    mark_stalled(db.session)
    batch = visible_batch(db.session, batch_id, current_user)
    response = make_response(
        render_template(
            "word/bulk_status.html",
            batch=batch,
            kind_label=_kind_label,
            guessed_labels=_guessed_labels,
        )
    )
    if batch.state == BatchState.RUNNING:
        # A header, not a script: the CSP admits no inline code, and base.html has no head
        # block for a <meta http-equiv="refresh">. Browsers treat both alike.
        response.headers["Refresh"] = str(REFRESH_S)
    return response


def _form_page(form: BulkForm, status: int = 200) -> ResponseReturnValue:
    mark_stalled(db.session)
    recent = db.session.scalars(
        sa.select(ImportBatch).order_by(ImportBatch.id.desc()).limit(RECENT)
    ).all()
    return render_template("word/bulk.html", form=form, recent=recent), status


def _listing(form: BulkForm) -> Listing | None:
    upload = form.master_list.data
    if upload is None or not upload.filename:
        return None
    data = upload.read(MAX_BYTES + 1)
    return read_master_list(data, _plain_name(upload.filename))


def _plain_name(filename: str) -> str:
    """The name without the folders some browsers send along."""
    return PurePosixPath(filename.replace("\\", "/")).name[:255] or "documento.docx"


def _kind_label(kind: str) -> str:
    declared = kind_of(kind)
    return str(declared.label) if declared is not None else kind


def _guessed_labels(keys: list[str]) -> str:
    """ "title", "block:2" as the reader says them: "title", "block 3"."""
    return ", ".join(
        _("block %(n)s", n=int(key.split(":", 1)[1]) + 1)
        if key.startswith("block:") and key.split(":", 1)[1].isdigit()
        else str(FIELD_NAMES.get(key, key))
        for key in keys
    )
