"""The base PDF of a version: rendered by WeasyPrint once, cached by content hash in the store."""

from __future__ import annotations

import time
from io import BytesIO

import sqlalchemy as sa
from flask import render_template
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from sqlalchemy.orm import Session
from weasyprint import HTML

from qms.blobs.services import read_blob, store_blob
from qms.core.storage import BlobStore
from qms.documents.models import DocumentVersion, SignatureMeaning, VersionState
from qms.documents.rendering import render_block
from qms.printing.models import PdfRendition
from qms.printing.safe_fetch import BASE_URL, SafeFetcher

# Bump when templates/print or print.css change: cached renditions of the old layout are skipped.
TEMPLATE_VERSION = "1"
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
M = SignatureMeaning


def _history(version: DocumentVersion) -> list[DocumentVersion]:
    """Versions up to this one that took effect (or this one), newest first, as printed."""
    shown = [
        v
        for v in version.document.versions
        if v.number <= version.number
        and (
            v.id == version.id
            or v.state in (VersionState.EFFECTIVE, VersionState.SUPERSEDED, VersionState.OBSOLETE)
        )
    ]
    return sorted(shown, key=lambda v: v.number, reverse=True)


def version_html(version: DocumentVersion, page_size: str = "A4") -> str:
    signatures: dict[str, list] = {}
    for signature in version.signatures:
        if signature.round == version.round:
            signatures.setdefault(signature.meaning, []).append(signature)
    columns = [
        (_l("Authored"), M.AUTHORED),
        (_l("Reviewed"), M.REVIEWED),
        (_l("Approved"), M.APPROVED),
    ]
    return render_template(
        "print/version.html",
        document=version.document,
        version=version,
        page_size=PAGE_SIZES[page_size],
        signatures=signatures,
        signature_columns=columns,
        history=_history(version),
        render_block=render_block,
    )


def render_pdf(html: str) -> bytes:
    """HTML → PDF with the safe fetcher: nothing outside our static files or data: URLs."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=SafeFetcher()).write_pdf()


def ensure_base_pdf(
    session: Session, store: BlobStore, version: DocumentVersion, page_size: str = "A4"
) -> tuple[bytes, PdfRendition | None]:
    """The cached base PDF of this version and layout, rendering it the first time."""
    if page_size not in PAGE_SIZES:
        raise ValueError("unknown page size")
    if version.state == VersionState.DRAFT:
        # A draft changes without a new hash: render it each time and keep nothing.
        return render_pdf(version_html(version, page_size)), None
    key = (
        PdfRendition.version_id == version.id,
        PdfRendition.content_sha256 == (version.content_sha256 or ""),
        PdfRendition.template_version == TEMPLATE_VERSION,
        PdfRendition.page_size == page_size,
    )
    cached = session.scalar(sa.select(PdfRendition).where(*key))
    if cached is not None:
        return read_blob(session, store, cached.blob_sha256), cached
    started = time.perf_counter()
    data = render_pdf(version_html(version, page_size))
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    blob = store_blob(session, store, data, "application/pdf")
    rendition = PdfRendition(
        version_id=version.id,
        content_sha256=version.content_sha256 or "",
        template_version=TEMPLATE_VERSION,
        page_size=page_size,
        blob_sha256=blob.sha256,
        pages=len(PdfReader(BytesIO(data)).pages),
        render_ms=elapsed_ms,
    )
    session.add(rendition)
    session.flush()
    return data, rendition
