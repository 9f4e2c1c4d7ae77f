"""The getting-started page: roles, then the first document step by step."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from flask_login import current_user, login_required

from qms.core.permissions import Permission, can
from qms.guide.content import AFTERWARDS, ROLES, STEPS
from qms.guide.urls import guide_bp as bp
from qms.users.admin_forms import ROLE_LABELS


def _link(endpoint: str | None, permission: Permission | None) -> str | None:
    """A link only to a page that exists and that the reader may open."""
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    if permission is not None and not can(current_user, permission):
        return None
    return url_for(endpoint)


@bp.get("")
@login_required
def index() -> str:
    mine = set(current_user.role_names)
    roles: list[dict[str, Any]] = [
        {
            "label": ROLE_LABELS[duty.role.value],
            "does": duty.does,
            "is_mine": duty.role.value in mine,
            "url": _link(duty.starts_at, duty.permission) if duty.role.value in mine else None,
        }
        for duty in ROLES
    ]
    steps = [
        {
            "title": step.title,
            "who": [ROLE_LABELS[role.value] for role in step.who],
            "is_mine": any(role.value in mine for role in step.who),
            "text": step.text,
            "url": _link(step.endpoint, step.permission),
            "link": step.link,
        }
        for step in STEPS
    ]
    # Creating needs either permission; the step is declared with the narrower one.
    if steps[0]["url"] is None and can(current_user, Permission.DOCUMENT_CREATE):
        steps[0]["url"] = _link(STEPS[0].endpoint, None)
    afterwards = [
        {"label": label, "url": url}
        for endpoint, label, permission in AFTERWARDS
        if (url := _link(endpoint, permission))
    ]
    return render_template("guide/index.html", roles=roles, steps=steps, afterwards=afterwards)
