"""The search index's admin page: pending and failing jobs, the last reconcile, the progress
of a rebuild, and buttons to reconcile or rebuild on a background thread."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from flask import Flask, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from qms.core.db import db
from qms.core.permissions import Permission, permission_required
from qms.search import jobs
from qms.search.urls import search_bp as bp

log = logging.getLogger(__name__)
# While a rebuild runs, the page reloads itself (an HTTP header: no script, whatever the CSP).
REFRESH_S = 3
_WORK = "qms_search_admin_work"


@bp.get("/admin")
@permission_required(Permission.USER_MANAGE)
def admin() -> ResponseReturnValue:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    progress = jobs.rebuild_progress(app)
    running = bool(progress and progress.get("state") == "running")
    reconciled = jobs.last_reconcile(app)
    page = render_template(
        "search/admin.html",
        counts=jobs.job_counts(db.session),
        failing=jobs.failing_jobs(db.session),
        reconciled=reconciled,
        reconciled_at=_when(reconciled, "at"),
        progress=progress,
        finished_at=_when(progress, "finished_at"),
        running=running,
        busy=_busy(app),
    )
    headers = {"Refresh": str(REFRESH_S)} if running else {}
    return page, 200, headers


@bp.post("/admin/rebuild")
@permission_required(Permission.USER_MANAGE)
def admin_rebuild() -> ResponseReturnValue:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if _start(app, "rebuild", lambda: jobs.rebuild_and_swap(app)):
        flash(_("The search index is being rebuilt; searches keep working meanwhile."))
    else:
        flash(_("The search index is already being rebuilt or reconciled."), "error")
    return redirect(url_for(".admin"))


@bp.post("/admin/reconcile")
@permission_required(Permission.USER_MANAGE)
def admin_reconcile() -> ResponseReturnValue:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if _start(app, "reconcile", lambda: jobs.reconcile(app, full=True, blocking=True)):
        flash(_("The search index is being reconciled with the database."))
    else:
        flash(_("The search index is already being rebuilt or reconciled."), "error")
    return redirect(url_for(".admin"))


def _when(status: dict[str, Any] | None, key: str) -> datetime | None:
    """A time the status files keep as ISO text, for the page to show as local time."""
    try:
        return datetime.fromisoformat(str((status or {}).get(key) or ""))
    except ValueError:
        return None


def _busy(app: Flask) -> bool:
    thread: threading.Thread | None = app.extensions.get(_WORK)
    return thread is not None and thread.is_alive()


def _start(app: Flask, what: str, work: object) -> bool:
    """Run `work` on a thread of this process, one at a time (a rebuild reads the whole
    database: it must not run on the request's own time)."""
    if _busy(app) or not callable(work):
        return False

    def run() -> None:
        try:
            work()
        except Exception:
            log.exception("search index %s failed", what)

    thread = threading.Thread(target=run, name=f"qms-search-{what}", daemon=True)
    app.extensions[_WORK] = thread
    thread.start()
    return True
