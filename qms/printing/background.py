"""Base PDFs of just-approved versions, rendered on a worker thread once the approval commits.

The approval services know nothing of printing: this module watches the trail events a
session flushes, and when a session that wrote `document:approve` (or `document:take_effect`)
commits (the session's outbox, `qms.core.outbox`), it queues a render of that version. A
rolled-back approval queues nothing, and the render never runs inside the approval's
transaction (WeasyPrint takes seconds).
"""

from __future__ import annotations

import logging
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from qms.core.outbox import after_commit
from qms.core.trail_actions import TrailAction
from qms.printing.render import PAGE_SIZES, render_after_commit
from qms.trail.models import TrailEvent

RENDER_ON = frozenset({TrailAction.DOCUMENT_APPROVE, TrailAction.DOCUMENT_TAKE_EFFECT})
RENDER = TrailAction.PRINTING_RENDER
log = logging.getLogger(__name__)


@dataclass
class _Renders:
    """The versions one transaction approved, queued for rendering once it has committed."""

    renderer: BackgroundRenderer
    version_ids: set[int] = field(default_factory=set)

    def __call__(self) -> None:
        self.renderer.submit(self.version_ids)


class BackgroundRenderer:
    """One worker thread per process: renders are CPU-bound and the machines are small."""

    def __init__(self, app: Flask, page_sizes: tuple[str, ...]) -> None:
        # Weak: the session-event registry holds `collect`, and through it this renderer, for
        # as long as the app lives; a strong reference back would keep the app alive for good.
        self._app = weakref.ref(app)
        self.page_sizes = page_sizes
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qms-render")
        self.futures: list[Future[None]] = []

    def collect(self, session: Session, _context: Any) -> None:
        """After each flush: park the versions whose approval it wrote in the outbox."""
        for obj in session.new:
            if (
                isinstance(obj, TrailEvent)
                and obj.action in RENDER_ON
                and obj.object_type == "document_version"
            ):
                after_commit(session, RENDER, _Renders(self)).version_ids.add(int(obj.object_id))

    def submit(self, version_ids: set[int]) -> None:
        app = self._app()
        if app is None:
            return
        for version_id in sorted(version_ids):
            self.futures = [f for f in self.futures if not f.done()]
            self.futures.append(
                self.executor.submit(render_after_commit, app, version_id, self.page_sizes)
            )

    def wait(self, timeout: float | None = None) -> None:
        """Block until every queued render has finished (tests, and `qms` commands at exit)."""
        for future in list(self.futures):
            future.result(timeout=timeout)


def init_app(app: Flask) -> None:
    settings = app.extensions["qms_settings"]
    if not settings.render_on_approval:
        return
    sizes = tuple(size for size in (s.strip() for s in settings.prerender_sizes.split(",")) if size)
    unknown = [size for size in sizes if size not in PAGE_SIZES]
    if unknown:
        raise ValueError(f"QMS_PRERENDER_SIZES: unknown page size {unknown[0]!r}")
    renderer = BackgroundRenderer(app, sizes or ("A4",))
    app.extensions["qms_background_renderer"] = renderer
    factory = app.extensions["qms_db"].session_factory
    event.listen(factory, "after_flush", renderer.collect)
