"""A version's base PDF: its print template rendered once, in the sandbox, cached in the store.

The print template is `templates/print/<type key>.html` when there is one, else
`templates/print/version.html`. Blocks go through `qms.documents.rendering` when it has a
renderer for their kind, else through a plain listing, so a new kind never breaks printing.
Rendering never happens inside the approval transaction: `render_after_commit` (called once
the approval is committed) or the first print render it; `qms print --prerender` warms all.
A landscape layout is cached under its own name ("Letter-L"); a change of the organisation's
identity drops the cache (`qms.organisation.services`), since every page's heading carries it.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from pypdf import PdfReader
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.blobs.services import read_blob, store_blob
from qms.core.storage import BlobStore
from qms.documents import rendering
from qms.documents.models import DocumentVersion, SignatureMeaning, VersionState
from qms.documents.paper_signers import PaperSigner, paper_signers
from qms.documents.structured_rendering import PRINT_RENDERERS
from qms.organisation.layout import LANDSCAPE, ORIENTATIONS, PAPERS, PORTRAIT, page_css
from qms.printing.models import PdfRendition
from qms.printing.sandbox import render_isolated

# Bump when templates/print or print.css change: cached renditions of the old layout are skipped.
# 4: signature and effective dates in the organisation's zone and format (no more "UTC").
# 5: a version imported from Word prints the names signed on paper, marked as imported.
# 6: the organisation's name, NIT and logo head the page; Legal paper; landscape.
TEMPLATE_VERSION = "6"
# Paper key (as URLs and the cache name it) → CSS page size.
PAGE_SIZES = dict(PAPERS)
CACHED_STATES = (
    VersionState.APPROVED,
    VersionState.EFFECTIVE,
    VersionState.SUPERSEDED,
    VersionState.OBSOLETE,
)
M = SignatureMeaning
log = logging.getLogger(__name__)


def _fallback(value: Any) -> Markup:
    """Any JSON value as plain, escaped HTML: lists of rows as tables, the rest as lists."""
    if isinstance(value, dict):
        items = Markup("").join(
            Markup("<li><strong>%s:</strong> %s</li>") % (key, _fallback(item))
            for key, item in value.items()
            if key != "kind"
        )
        return Markup('<ul class="fallback">%s</ul>') % items
    if isinstance(value, list):
        if value and all(isinstance(item, dict) for item in value):
            keys = list(dict.fromkeys(key for item in value for key in item))
            head = Markup("").join(Markup('<th scope="col">%s</th>') % key for key in keys)
            rows = Markup("").join(
                Markup("<tr>%s</tr>")
                % Markup("").join(Markup("<td>%s</td>") % _fallback(i.get(k, "")) for k in keys)
                for i in value
            )
            return Markup("<table><tr>%s</tr>%s</table>") % (head, rows)
        return Markup("<ul>%s</ul>") % Markup("").join(
            Markup("<li>%s</li>") % _fallback(item) for item in value
        )
    return escape("" if value is None else str(value))


def print_block(block: dict[str, Any]) -> Markup:
    """A block as print HTML: the page renderer for its kind, else a plain listing."""
    kind = str(block.get("kind", ""))
    renderer = PRINT_RENDERERS.get(kind) or rendering.RENDERERS.get(kind)
    if renderer is not None:
        return renderer(block)
    return _fallback({key: value for key, value in block.items() if key != "kind"})


def _history(version: DocumentVersion) -> list[DocumentVersion]:
    """Versions up to this one that took effect (or this one), newest first, as printed."""
    took_effect = (VersionState.EFFECTIVE, VersionState.SUPERSEDED, VersionState.OBSOLETE)
    shown = [
        v
        for v in version.document.versions
        if v.number <= version.number and (v.id == version.id or v.state in took_effect)
    ]
    return sorted(shown, key=lambda v: v.number, reverse=True)


def orientation_of(version: DocumentVersion) -> str:
    """How a version prints: its own choice, else its document type's, else portrait."""
    chosen = version.orientation or version.document.type.orientation
    return chosen if chosen in ORIENTATIONS else PORTRAIT


def layout_key(version: DocumentVersion, page_size: str) -> str:
    """The cache's name for a layout: the paper, marked "-L" when landscape ("Letter-L")."""
    return f"{page_size}-L" if orientation_of(version) == LANDSCAPE else page_size


def version_html(version: DocumentVersion, page_size: str = "A4") -> str:
    """The print HTML of a version (needs an app context)."""
    signatures: dict[str, list[Any]] = {}
    for signature in version.signatures:
        if signature.round == version.round:
            signatures.setdefault(signature.meaning, []).append(signature)
    columns = [
        (_l("Authored"), M.AUTHORED),
        (_l("Reviewed"), M.REVIEWED),
        (_l("Approved"), M.APPROVED),
    ]
    # A version imported from Word carries the names its file gave, signed on paper.
    paper: dict[str, list[PaperSigner]] = {}
    for person in paper_signers(version):
        paper.setdefault(person.meaning, []).append(person)
    document = version.document
    return render_template(
        [f"print/{document.type.key}.html", "print/version.html"],
        document=document,
        version=version,
        page_size=page_css(page_size, orientation_of(version)),
        signatures=signatures,
        paper_signers=paper,
        signature_columns=columns,
        history=_history(version),
        print_block=print_block,
    )


def render_pdf(html: str) -> tuple[bytes, int]:
    """HTML → (PDF, milliseconds) in the sandbox, with the app's time and memory limits."""
    config = current_app.config
    result = render_isolated(
        html,
        timeout=float(config.get("QMS_RENDER_TIMEOUT_S", 60)),
        memory_mb=int(config.get("QMS_RENDER_MEMORY_MB", 2048)),
    )
    return result.pdf, result.elapsed_ms


def _key(version: DocumentVersion, page_size: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (
        PdfRendition.version_id == version.id,
        PdfRendition.content_sha256 == (version.content_sha256 or ""),
        PdfRendition.template_version == TEMPLATE_VERSION,
        PdfRendition.page_size == layout_key(version, page_size),
    )


def ensure_base_pdf(
    session: Session, store: BlobStore, version: DocumentVersion, page_size: str = "A4"
) -> tuple[bytes, PdfRendition | None]:
    """The cached base PDF of this version and layout, rendering it the first time.

    Versions still being written are rendered each time and never cached (their content
    has no final hash); RenderFailed (503) when the sandbox gives up.
    """
    if page_size not in PAGE_SIZES:
        raise ValueError("unknown page size")
    if version.state not in CACHED_STATES:
        return render_pdf(version_html(version, page_size))[0], None
    cached = session.scalar(sa.select(PdfRendition).where(*_key(version, page_size)))
    if cached is not None:
        return read_blob(session, store, cached.blob_sha256), cached
    data, elapsed_ms = render_pdf(version_html(version, page_size))
    rendition = PdfRendition(
        version_id=version.id,
        content_sha256=version.content_sha256 or "",
        template_version=TEMPLATE_VERSION,
        page_size=layout_key(version, page_size),
        pages=len(PdfReader(BytesIO(data)).pages),
        render_ms=elapsed_ms,
    )
    try:
        with session.begin_nested():
            rendition.blob_sha256 = store_blob(session, store, data, "application/pdf").sha256
            session.add(rendition)
    except IntegrityError:
        # Someone else rendered the same layout meanwhile: theirs is as good as ours.
        cached = session.scalar(sa.select(PdfRendition).where(*_key(version, page_size)))
        if cached is None:
            raise
        return read_blob(session, store, cached.blob_sha256), cached
    return data, rendition


def prerender(
    session: Session, store: BlobStore, version_ids: list[int], page_sizes: list[str]
) -> list[tuple[DocumentVersion, str, PdfRendition | None]]:
    """Make sure each version has its base PDF in each size; flushes, never commits."""
    done = []
    for version_id in version_ids:
        version = session.get(DocumentVersion, version_id)
        if version is None or version.state not in CACHED_STATES:
            continue
        for size in page_sizes:
            _data, rendition = ensure_base_pdf(session, store, version, size)
            done.append((version, size, rendition))
    return done


def versions_in_force(session: Session) -> list[int]:
    stmt = sa.select(DocumentVersion.id).where(DocumentVersion.state == VersionState.EFFECTIVE)
    return list(session.scalars(stmt.order_by(DocumentVersion.id)))


def render_after_commit(app: Flask, version_id: int, page_sizes: tuple[str, ...] = ("A4",)) -> None:
    """Render and cache a just-approved version's base PDF in its own session and commit.

    For the lead to call once the approval has been committed (a background thread or a
    queue), never inside the approval transaction. A failure is logged: the first print
    simply renders again.
    """
    from qms.core.db import db

    settings = app.extensions["qms_settings"]
    with app.test_request_context(base_url=settings.base_url):
        try:
            prerender(db.session, app.extensions["qms_store"], [version_id], list(page_sizes))
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("pre-rendering version %s failed", version_id)
