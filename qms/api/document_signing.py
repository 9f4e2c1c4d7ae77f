"""Signing through the API: submit, review, approve, reject, discard, withdraw, periodic review
(the entries of `qms.documents.signed_actions`, one generic endpoint each).

The password in each body is the token owner's account password: re-authentication for the
signature, as on the pages. A refused password (SignatureRefused) and a lockout are recorded
errors: the edge keeps their trail event although it answers 403 / 429.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from qms.api.blueprint import api
from qms.api.dates import parse_date
from qms.api.documents import signed_model, version_model
from qms.api.models.documents import SignedVersion, Version
from qms.core.db import db
from qms.core.signed_actions import SignedAction, Signing
from qms.documents.signed_actions import SIGNED_ACTIONS
from qms.users.models import User

# How each response model is made from what the service returned (a signature, or the
# discarded version).
ANSWERS: dict[type[BaseModel], Callable[[User, Any], BaseModel]] = {
    SignedVersion: signed_model,
    Version: version_model,
}


def signing_from(body: BaseModel) -> Signing:
    """What the signer gave in the body: the fields of `Signing` the body model has."""
    return Signing(
        password=getattr(body, "password", ""),
        comment=getattr(body, "comment", ""),
        reason=getattr(body, "reason", ""),
        effective_from=parse_date(body, "effective_from")
        if hasattr(body, "effective_from")
        else None,
    )


def _endpoint(action: SignedAction) -> Callable[..., Any]:
    answer = ANSWERS[action.api_response]

    def view(actor: User, body: BaseModel, **path: int) -> BaseModel:
        signed = action.sign(db.session, actor, path[action.path_arg], signing_from(body))
        return answer(actor, signed)

    view.__name__ = view.__qualname__ = action.api_endpoint
    return view


for _action in SIGNED_ACTIONS:
    api.route(
        _action.api_path,
        method="POST",
        summary=_action.api_summary,
        description=_action.api_description,
        response=_action.api_response,
        permission=_action.permission,
        own=_action.own,
        body=_action.api_body,
    )(_endpoint(_action))
