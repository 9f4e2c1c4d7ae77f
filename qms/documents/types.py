"""Configuring document types: code pattern, default blocks, review interval, approval route,
segregation of duties.

Quality leads create, edit, deactivate and reactivate types; each change writes one trail
event. Documents already made from a type keep their code and their review interval: only new
documents follow a changed pattern.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from qms.core.errors import Conflict, NotFound, ValidationFailed
from qms.core.permissions import Permission, Role, require, roles_with
from qms.core.trail_actions import TrailAction
from qms.documents.blocks import BLOCK_KINDS
from qms.documents.codes import CODE_RE, check_pattern
from qms.documents.models import DocumentType
from qms.organisation.layout import ORIENTATIONS, PORTRAIT
from qms.trail import services as trail
from qms.users.models import User

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
ABBREVIATION_RE = re.compile(r"^[A-Z0-9]{1,10}$")
MIN_INTERVAL, MAX_INTERVAL = 1, 120
MAX_SIGNERS = 20

# Each stage of the route and the permission its signers must hold.
STAGES: dict[str, Permission] = {
    "review": Permission.DOCUMENT_REVIEW,
    "approval": Permission.DOCUMENT_APPROVE,
}


def _fail(message: Any, field: str) -> NoReturn:
    raise ValidationFailed(str(message), field=field)


def stage_roles(stage: str) -> list[str]:
    """The roles whose holders sign `stage` when the route names no one (and the roles a new
    type's route names by default). A route may name any role or any user for a stage."""
    return roles_with(STAGES[stage])


def get_type(session: Session, type_id: int) -> DocumentType:
    doc_type = session.get(DocumentType, type_id)
    if doc_type is None:
        raise NotFound(str(_l("Document type not found.")))
    return doc_type


def list_all_types(session: Session, actor: Any) -> list[DocumentType]:
    """Every type, active or not, for the page where quality leads configure them."""
    require(actor, Permission.DOCUMENT_TYPE_MANAGE)
    return list(session.scalars(sa.select(DocumentType).order_by(DocumentType.name)))


def snapshot(doc_type: DocumentType) -> dict[str, Any]:
    return {
        "key": doc_type.key,
        "name": doc_type.name,
        "abbreviation": doc_type.abbreviation,
        "code_pattern": doc_type.code_pattern,
        "default_blocks": list(doc_type.default_blocks or []),
        "review_interval_months": doc_type.review_interval_months,
        "route": doc_type.route or {},
        "is_external": doc_type.is_external,
        "distinct_signers": doc_type.distinct_signers,
        "active": doc_type.active,
        "orientation": doc_type.orientation,
    }


def _clean_key(key: str) -> str:
    key = (key or "").strip()
    if not KEY_RE.match(key):
        _fail(_l("Keys use 2–40 lowercase letters, digits or '_', starting with a letter."), "key")
    return key


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        _fail(_l("The name is required."), "name")
    if len(name) > 100:
        _fail(_l("The name is too long."), "name")
    return name


def _clean_abbreviation(abbreviation: str) -> str:
    abbreviation = (abbreviation or "").strip()
    if not ABBREVIATION_RE.match(abbreviation):
        _fail(_l("The abbreviation uses 1–10 uppercase letters or digits."), "abbreviation")
    return abbreviation


def _clean_pattern(pattern: str, abbreviation: str) -> str:
    """A known-fields pattern with one {seq} that also renders to a valid code."""
    pattern = (pattern or "").strip()
    if not pattern or len(pattern) > 100:
        _fail(_l("The code pattern is required (at most 100 characters)."), "code_pattern")
    check_pattern(pattern)
    try:
        sample = pattern.format(process="AC", type=abbreviation, parent="AC-PR-01", seq=1)
    except (ValueError, IndexError, KeyError):
        sample = ""
    if not CODE_RE.match(sample.upper()):
        _fail(
            _l("The pattern must give codes of uppercase letters, digits, '.', '_', '-'."),
            "code_pattern",
        )
    return pattern


def clean_orientation(orientation: str) -> str:
    if orientation not in ORIENTATIONS:
        _fail(_l("Choose portrait or landscape."), "orientation")
    return orientation


def _clean_blocks(kinds: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for kind in kinds:
        if kind not in BLOCK_KINDS:
            _fail(_l("Unknown block kind: %(kind)s", kind=str(kind)), "default_blocks")
        if kind not in cleaned:
            cleaned.append(kind)
    return cleaned


def _clean_interval(months: Any) -> int:
    try:
        value = int(months)
    except (TypeError, ValueError):
        value = 0
    if not MIN_INTERVAL <= value <= MAX_INTERVAL:
        _fail(_l("The review interval is between 1 and 120 months."), "review_interval_months")
    return value


def _clean_stage(session: Session, stage: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """One stage of the route; error fields are `<stage>_roles`, `<stage>_users`...

    Any role and any active user may be named: being named is what lets one sign the stage
    (a process-scoped role, such as process owner, for documents of one's own processes).
    """
    if not isinstance(values, Mapping) or not all(
        isinstance(values.get(name) or [], list | tuple) for name in ("roles", "users")
    ):
        _fail(_l("Each step names a list of roles and a list of users."), f"{stage}_roles")
    roles: list[str] = []
    for role in values.get("roles") or []:
        if role not in {r.value for r in Role}:
            _fail(_l("Unknown role: %(role)s", role=str(role)), f"{stage}_roles")
        if role not in roles:
            roles.append(role)
    try:
        user_ids = list(dict.fromkeys(int(u) for u in values.get("users") or []))
    except (TypeError, ValueError):
        _fail(_l("Unknown user."), f"{stage}_users")
    if len(user_ids) > MAX_SIGNERS:
        _fail(_l("At most %(n)d named signers.", n=MAX_SIGNERS), f"{stage}_users")
    found = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(user_ids)))}
    for user_id in user_ids:
        user = found.get(user_id)
        if user is None or not user.active:
            _fail(_l("Named signers must be active users."), f"{stage}_users")
    try:
        count = int(values.get("count", 1))
    except (TypeError, ValueError):
        count = 0
    sequential = bool(values.get("sequential"))
    if count < 1 or count > MAX_SIGNERS:
        _fail(_l("Between 1 and %(n)d signatures close a step.", n=MAX_SIGNERS), f"{stage}_count")
    if sequential and not user_ids:
        _fail(
            _l("A sequence needs named users, who sign in the order given."), f"{stage}_sequential"
        )
    if user_ids and (sequential or not roles) and count > len(user_ids):
        _fail(_l("The step asks for more signatures than it names users."), f"{stage}_count")
    return {"roles": roles, "users": user_ids, "count": count, "sequential": sequential}


def clean_route(session: Session, route: Mapping[str, Any] | None) -> dict[str, Any]:
    """Both stages of an approval route, validated and normalised."""
    route = route or {}
    return {stage: _clean_stage(session, stage, route.get(stage) or {}) for stage in STAGES}


def _values(
    session: Session,
    *,
    name: str,
    abbreviation: str,
    code_pattern: str,
    default_blocks: Iterable[str],
    review_interval_months: Any,
    route: Mapping[str, Any] | None,
    is_external: bool,
    distinct_signers: bool,
) -> dict[str, Any]:
    abbreviation = _clean_abbreviation(abbreviation)
    return {
        "name": _clean_name(name),
        "abbreviation": abbreviation,
        "code_pattern": _clean_pattern(code_pattern, abbreviation),
        "default_blocks": _clean_blocks(default_blocks),
        "review_interval_months": _clean_interval(review_interval_months),
        "route": clean_route(session, route),
        "is_external": bool(is_external),
        "distinct_signers": bool(distinct_signers),
    }


def _check_abbreviation_free(session: Session, abbreviation: str, type_id: int | None) -> None:
    stmt = sa.select(DocumentType.id).where(DocumentType.abbreviation == abbreviation)
    if type_id is not None:
        stmt = stmt.where(DocumentType.id != type_id)
    if session.scalar(stmt.limit(1)) is not None:
        raise Conflict(
            str(_l("Another document type uses the abbreviation %(a)s.", a=abbreviation)),
            field="abbreviation",
        )


def create_type(
    session: Session,
    actor: Any,
    *,
    key: str,
    name: str,
    abbreviation: str,
    code_pattern: str,
    default_blocks: Iterable[str] = ("text",),
    review_interval_months: Any = 24,
    route: Mapping[str, Any] | None = None,
    is_external: bool = False,
    distinct_signers: bool = True,
    orientation: str = PORTRAIT,
) -> DocumentType:
    """`distinct_signers` (segregation of duties, on by default): whoever reviews a version
    does not also approve it. `orientation`: how its documents print (landscape for wide
    tables)."""
    require(actor, Permission.DOCUMENT_TYPE_MANAGE)
    key = _clean_key(key)
    values = _values(
        session,
        name=name,
        abbreviation=abbreviation,
        code_pattern=code_pattern,
        default_blocks=default_blocks,
        review_interval_months=review_interval_months,
        route=route,
        is_external=is_external,
        distinct_signers=distinct_signers,
    )
    if session.scalar(sa.select(DocumentType.id).where(DocumentType.key == key)) is not None:
        raise Conflict(str(_l("The key %(key)s is taken.", key=key)), field="key")
    _check_abbreviation_free(session, values["abbreviation"], None)
    doc_type = DocumentType(
        key=key, active=True, orientation=clean_orientation(orientation), **values
    )
    session.add(doc_type)
    session.flush()
    trail.record(
        session,
        TrailAction.DOCUMENT_TYPE_CREATE,
        "document_type",
        doc_type.id,
        actor=actor,
        after=snapshot(doc_type),
    )
    return doc_type


def update_type(
    session: Session,
    actor: Any,
    type_id: int,
    *,
    name: str,
    abbreviation: str,
    code_pattern: str,
    default_blocks: Iterable[str],
    review_interval_months: Any,
    route: Mapping[str, Any] | None,
    is_external: bool,
    distinct_signers: bool,
    orientation: str | None = None,
) -> DocumentType:
    """Change everything but the key; documents made earlier keep their codes, and versions
    already submitted keep the route and the segregation rule they were submitted with.
    `orientation` None keeps the current one."""
    require(actor, Permission.DOCUMENT_TYPE_MANAGE)
    doc_type = get_type(session, type_id)
    before = snapshot(doc_type)
    values = _values(
        session,
        name=name,
        abbreviation=abbreviation,
        code_pattern=code_pattern,
        default_blocks=default_blocks,
        review_interval_months=review_interval_months,
        route=route,
        is_external=is_external,
        distinct_signers=distinct_signers,
    )
    _check_abbreviation_free(session, values["abbreviation"], doc_type.id)
    if orientation is not None:
        values["orientation"] = clean_orientation(orientation)
    for field, value in values.items():
        setattr(doc_type, field, value)
    session.flush()
    old, new = trail.changes(before, snapshot(doc_type))
    if new:
        trail.record(
            session,
            TrailAction.DOCUMENT_TYPE_UPDATE,
            "document_type",
            doc_type.id,
            actor=actor,
            before=old,
            after=new,
        )
    return doc_type


def set_type_active(
    session: Session, actor: Any, type_id: int, active: bool, reason: str = ""
) -> DocumentType:
    """An inactive type offers no new documents; its documents stay as they are."""
    require(actor, Permission.DOCUMENT_TYPE_MANAGE)
    doc_type = get_type(session, type_id)
    if doc_type.active == active:
        return doc_type
    doc_type.active = active
    session.flush()
    trail.record(
        session,
        TrailAction.DOCUMENT_TYPE_ACTIVATE if active else TrailAction.DOCUMENT_TYPE_DEACTIVATE,
        "document_type",
        doc_type.id,
        actor=actor,
        before={"active": not active},
        after={"active": active},
        reason=(reason or "").strip()[:500],
    )
    return doc_type
