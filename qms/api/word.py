"""Word in the API: a file read (preview) or imported as a document with its history, and any
version exported to .docx — the same services as the pages and `qms import` / `qms export`."""

from __future__ import annotations

from flask import Response, current_app

from qms.api.blueprint import api
from qms.api.models.word import ImportPreview, ImportReport
from qms.api.registry import Query, checked_upload
from qms.blobs.attached import content_disposition
from qms.blobs.filetypes import DOCX
from qms.core.db import db
from qms.core.permissions import Permission as P
from qms.users.models import User
from qms.word.importing import import_document
from qms.word.reading import read_bytes
from qms.word.writing import version_docx

TAG = "Documents"
_FILENAME = Query("filename", "string", "The file's name (required), ending in .docx.")


@api.route(
    "/documents/import/preview",
    method="POST",
    summary="Read a Word file as it would be imported: the body is the .docx's bytes",
    response=ImportPreview,
    permission=P.DOCUMENT_IMPORT,
    raw_body=True,
    params=[_FILENAME],
    tag=TAG,
)
def preview_import(actor: User, body: bytes, filename: str | None) -> ImportPreview:
    """Nothing is stored. The file is checked at the zip level before it is read."""
    filename, _ = checked_upload(body, filename)
    return ImportPreview.of(read_bytes(body, filename))


@api.route(
    "/documents/import",
    method="POST",
    summary="Import a Word file as a document with its history: the body is the .docx's bytes",
    response=ImportReport,
    permission=P.DOCUMENT_IMPORT,
    raw_body=True,
    params=[_FILENAME],
    tag=TAG,
)
def import_word(actor: User, body: bytes, filename: str | None) -> ImportReport:
    """The code, version number and effective date (past ones too) are the file's; its
    version-history table becomes earlier versions, marked as imported; a process or type the
    file names that does not exist yet is created. All or nothing: 409 when the code exists."""
    filename, _ = checked_upload(body, filename)
    parsed = read_bytes(body, filename)
    imported = import_document(
        db.session,
        current_app.extensions["qms_store"],
        actor,
        parsed,
        data=body,
        filename=filename,
    )
    return ImportReport.of(imported, parsed)


@api.route(
    "/versions/<int:version_id>/export.docx",
    summary="A version as a Word file: header, blocks as tables, signatures and history",
    response="Docx",
    permission=P.DOCUMENT_READ,
    media_type=DOCX,
    tag=TAG,
)
def export_word(actor: User, version_id: int) -> Response:
    filename, data = version_docx(db.session, actor, version_id)
    return Response(
        data, mimetype=DOCX, headers={"Content-Disposition": content_disposition(filename)}
    )
