"""A signed action as data: one entry says everything a page and an API endpoint need to serve
it, so that the edges are one generic view each instead of one hand-written route per action.

A signature is re-authentication (the account password again), then a change through the
service, recorded in the trail. The entries live with their domain (e.g.
`qms.documents.signed_actions`); the views that serve them live with the pages and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from qms.core.permissions import Permission


@dataclass(frozen=True)
class Signing:
    """What the signer gave, from the page's form or the API's body: the password always; a
    comment, a reason or an effective date where the action takes one."""

    password: str = ""
    comment: str = ""
    reason: str = ""
    effective_from: date | None = None


# The service: (session, actor, the path's id, what the signer gave) → what was signed.
Sign = Callable[[Session, Any, int, Signing], Any]


@dataclass(frozen=True)
class SignedAction:
    """One signed action, for its page and its API endpoint."""

    name: str  # the URL's last segment's action; the page's endpoint and the key of its texts
    rule: str  # the page's URL under its blueprint, e.g. "/versions/<int:version_id>/submit"
    permission: Permission  # checked before the object is loaded (pages: 403, API: 403)
    own: bool  # `permission` may be held for one's own objects only (the service checks)
    # The object shown and signed, through the visibility rules (hidden: NotFound), by the
    # path's id; it raises Conflict when there is nothing to sign (e.g. no version in force).
    load: Callable[[Session, Any, int], Any]
    form: type[Any]  # the page's form: its fields are those of `Signing` it takes
    page: Any  # the page's texts: heading, the signature's meaning, button, flash on success
    sign: Sign
    # On GET, before the form is shown (object, actor, form): refuse early (403, 409), show a
    # missing prerequisite beside its field, fill the form's defaults.
    prepare: Callable[[Any, Any, Any], None]
    # Where a successful signature goes: from the object signed (None: the object's own page).
    done: Callable[[Any], str | None]
    api_endpoint: str  # the API view's name: its endpoint and the OpenAPI operation's id
    api_summary: str
    api_body: type[Any]  # the API's request body model (pydantic)
    api_response: type[Any]  # the API's response model (pydantic)
    template: str = "documents/sign.html"
    api_rule: str = ""  # the API's URL when it is not `rule`
    api_description: str = ""

    @property
    def path_arg(self) -> str:
        """The name of the id in the rule, e.g. `version_id`."""
        return self.rule.split("<int:", 1)[1].split(">", 1)[0]

    @property
    def api_path(self) -> str:
        return self.api_rule or self.rule
