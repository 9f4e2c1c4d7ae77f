"""The one place that says who may do what: roles, permissions, checks and list filters."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from qms.core.errors import NotAuthenticated, PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    QUALITY_LEAD = "quality_lead"
    APPROVER = "approver"  # top management (the Gerente): signs approvals, nothing more
    PROCESS_OWNER = "process_owner"
    AUDITOR = "auditor"
    STAFF = "staff"


class Permission(StrEnum):
    """`resource:verb`; the same strings name the trail actions where they match."""

    PROFILE_EDIT = "profile:edit"
    TOKEN_MANAGE = "token:manage"  # noqa: S105
    USER_READ = "user:read"
    USER_MANAGE = "user:manage"
    PROCESS_READ = "process:read"
    PROCESS_MANAGE = "process:manage"
    PROCESS_EDIT_OWN = "process:edit_own"
    TRAIL_READ = "trail:read"
    TRAIL_EXPORT = "trail:export"
    # Documents: everyone reads versions in force; the *_own variants cover the documents of
    # the processes a process owner leads or belongs to (and documents they own).
    DOCUMENT_READ = "document:read"
    DOCUMENT_READ_ALL = "document:read_all"
    DOCUMENT_READ_OWN = "document:read_own"
    DOCUMENT_CREATE = "document:create"
    DOCUMENT_CREATE_OWN = "document:create_own"
    DOCUMENT_EDIT = "document:edit"
    DOCUMENT_EDIT_OWN = "document:edit_own"
    # Who signs a stage of a version is its approval route (roles or named users, any role):
    # everyone may come to the signing pages, the route decides. A stage that names no one is
    # signed by the holders of DOCUMENT_REVIEW / DOCUMENT_APPROVE.
    DOCUMENT_SIGN = "document:sign"
    DOCUMENT_REVIEW = "document:review"
    DOCUMENT_APPROVE = "document:approve"
    DOCUMENT_WITHDRAW = "document:withdraw"
    DOCUMENT_CORRECT_CODE = "document:correct_code"
    # Bringing an existing quality system in from Word, with its history and paper signatures.
    DOCUMENT_IMPORT = "document:import"
    DOCUMENT_PERIODIC_REVIEW = "document:periodic_review"
    DOCUMENT_PERIODIC_REVIEW_OWN = "document:periodic_review_own"
    DOCUMENT_TYPE_MANAGE = "document_type:manage"
    COPY_READ = "copy:read"  # the controlled-copy register and the recall list
    COPY_ISSUE = "copy:issue"
    COPY_RECALL = "copy:recall"
    CHANGE_REQUEST_CREATE = "change_request:create"
    CHANGE_REQUEST_DECIDE = "change_request:decide"
    # Nonconformities: anyone reports one; the quality lead (or, for their processes, the
    # process leader) accepts, contains and analyses it; action owners update their actions.
    NONCONFORMITY_REPORT = "nonconformity:report"
    NONCONFORMITY_READ_ALL = "nonconformity:read_all"
    NONCONFORMITY_READ_OWN = "nonconformity:read_own"
    NONCONFORMITY_DECIDE = "nonconformity:decide"
    NONCONFORMITY_DECIDE_OWN = "nonconformity:decide_own"
    NONCONFORMITY_TREAT = "nonconformity:treat"
    NONCONFORMITY_TREAT_OWN = "nonconformity:treat_own"
    NONCONFORMITY_APPROVE_PLAN = "nonconformity:approve_plan"
    NONCONFORMITY_CLOSE = "nonconformity:close"
    CAPA_ACTION_UPDATE = "capa_action:update"
    CAPA_ACTION_UPDATE_OWN = "capa_action:update_own"
    EFFECTIVENESS_SIGN = "effectiveness:sign"
    # PQRS: anyone at a service point registers one; the quality lead routes, extends and
    # closes; the leader of the process it is routed to answers it.
    PQRS_REGISTER = "pqrs:register"
    PQRS_READ_ALL = "pqrs:read_all"
    PQRS_READ_OWN = "pqrs:read_own"
    PQRS_MANAGE = "pqrs:manage"
    PQRS_ANSWER = "pqrs:answer"
    PQRS_ANSWER_OWN = "pqrs:answer_own"
    # Internal audits (clause 9.2): quality leads own the programme; auditors on an audit's
    # team run it (the service checks the team) and read every audit; the team, the auditees
    # and the leaders of the audited processes see their audit's plan and report.
    AUDIT_PROGRAMME_MANAGE = "audit_programme:manage"
    AUDIT_READ_ALL = "audit:read_all"
    AUDIT_READ_OWN = "audit:read_own"
    AUDIT_CONDUCT = "audit:conduct"
    AUDIT_REPORT_ACCEPT = "audit_report:accept"
    CALENDAR_FEED_MANAGE = "calendar_feed:manage"
    # The organisation's identity on pages and prints: name, logo, NIT, paper, time zone.
    ORGANISATION_EDIT = "organisation:edit"


P = Permission

_EVERYONE = frozenset(
    {
        P.PROFILE_EDIT,
        P.TOKEN_MANAGE,
        P.PROCESS_READ,
        P.DOCUMENT_READ,
        P.DOCUMENT_SIGN,
        P.CHANGE_REQUEST_CREATE,
        P.NONCONFORMITY_REPORT,
        P.CAPA_ACTION_UPDATE_OWN,
        P.PQRS_REGISTER,
        P.AUDIT_READ_OWN,
        P.CALENDAR_FEED_MANAGE,
    }
)
_QUALITY = frozenset(
    {
        P.DOCUMENT_READ_ALL,
        P.DOCUMENT_CREATE,
        P.DOCUMENT_EDIT,
        P.DOCUMENT_REVIEW,
        P.DOCUMENT_APPROVE,
        P.DOCUMENT_WITHDRAW,
        P.DOCUMENT_CORRECT_CODE,
        P.DOCUMENT_IMPORT,
        P.DOCUMENT_PERIODIC_REVIEW,
        P.DOCUMENT_TYPE_MANAGE,
        P.CHANGE_REQUEST_DECIDE,
        P.COPY_READ,
        P.COPY_ISSUE,
        P.COPY_RECALL,
        P.NONCONFORMITY_READ_ALL,
        P.NONCONFORMITY_DECIDE,
        P.NONCONFORMITY_TREAT,
        P.NONCONFORMITY_APPROVE_PLAN,
        P.NONCONFORMITY_CLOSE,
        P.CAPA_ACTION_UPDATE,
        P.EFFECTIVENESS_SIGN,
        P.PQRS_READ_ALL,
        P.PQRS_MANAGE,
        P.PQRS_ANSWER,
        P.AUDIT_PROGRAMME_MANAGE,
        P.AUDIT_READ_ALL,
        P.AUDIT_CONDUCT,
        P.AUDIT_REPORT_ACCEPT,
    }
)
_PROCESS_OWNER = frozenset(
    {
        P.PROCESS_EDIT_OWN,
        P.DOCUMENT_READ_OWN,
        P.DOCUMENT_CREATE_OWN,
        P.DOCUMENT_EDIT_OWN,
        P.DOCUMENT_REVIEW,
        P.DOCUMENT_PERIODIC_REVIEW_OWN,
        P.NONCONFORMITY_READ_OWN,
        P.NONCONFORMITY_DECIDE_OWN,
        P.NONCONFORMITY_TREAT_OWN,
        P.PQRS_READ_OWN,
        P.PQRS_ANSWER_OWN,
        P.AUDIT_REPORT_ACCEPT,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: _EVERYONE
    | {P.USER_READ, P.USER_MANAGE, P.PROCESS_MANAGE, P.TRAIL_READ, P.DOCUMENT_READ_ALL}
    | {P.ORGANISATION_EDIT}
    | {P.AUDIT_READ_ALL},
    Role.QUALITY_LEAD: _EVERYONE
    | _QUALITY
    | {P.USER_READ, P.PROCESS_MANAGE, P.TRAIL_READ, P.TRAIL_EXPORT},
    # Only what signing an approval needs: the version waiting for the signature is visible to
    # the signers its route names (documents.queries.can_see_version); versions in force, as
    # for everyone.
    Role.APPROVER: _EVERYONE | {P.DOCUMENT_APPROVE},
    Role.PROCESS_OWNER: _EVERYONE | _PROCESS_OWNER,
    Role.AUDITOR: _EVERYONE
    | {P.USER_READ, P.TRAIL_READ, P.TRAIL_EXPORT, P.DOCUMENT_READ_ALL, P.NONCONFORMITY_READ_ALL}
    | {P.COPY_READ}
    | {P.PQRS_READ_ALL, P.AUDIT_READ_ALL, P.AUDIT_CONDUCT},
    Role.STAFF: _EVERYONE,
}

# Roles held for the processes one leads or belongs to; every other role holds for all of them.
PROCESS_SCOPED_ROLES: frozenset[Role] = frozenset({Role.PROCESS_OWNER, Role.STAFF})

# A permission that can be held for one's own objects only, and the global one that covers it.
OWN_VARIANTS: dict[Permission, Permission] = {
    P.PROCESS_MANAGE: P.PROCESS_EDIT_OWN,
    P.DOCUMENT_READ_ALL: P.DOCUMENT_READ_OWN,
    P.DOCUMENT_CREATE: P.DOCUMENT_CREATE_OWN,
    P.DOCUMENT_EDIT: P.DOCUMENT_EDIT_OWN,
    P.DOCUMENT_PERIODIC_REVIEW: P.DOCUMENT_PERIODIC_REVIEW_OWN,
    P.NONCONFORMITY_READ_ALL: P.NONCONFORMITY_READ_OWN,
    P.NONCONFORMITY_DECIDE: P.NONCONFORMITY_DECIDE_OWN,
    P.NONCONFORMITY_TREAT: P.NONCONFORMITY_TREAT_OWN,
    P.CAPA_ACTION_UPDATE: P.CAPA_ACTION_UPDATE_OWN,
    P.PQRS_READ_ALL: P.PQRS_READ_OWN,
    P.PQRS_ANSWER: P.PQRS_ANSWER_OWN,
    P.AUDIT_READ_ALL: P.AUDIT_READ_OWN,
}


class Actor(Protocol):
    """What the checks need to know of a user."""

    id: int

    @property
    def is_active(self) -> bool: ...

    @property
    def role_names(self) -> frozenset[str]: ...


class InProcess(Protocol):
    """An object of one process, that can say whether a user leads or belongs to it."""

    def is_in_process(self, user_id: int) -> bool: ...


class Owned(Protocol):
    """An object that can say whether a user owns it, in Python and in SQL."""

    def is_owned_by(self, user_id: int) -> bool: ...

    @classmethod
    def owned_by_clause(cls, user_id: int) -> sa.ColumnElement[bool]: ...


def permissions_of(roles: Iterable[str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return frozenset(granted)


def roles_with(permission: Permission) -> list[str]:
    """The roles whose holders hold `permission`, in the order of `Role`."""
    return [role.value for role in Role if permission in ROLE_PERMISSIONS[role]]


def holds_role_for(actor: Actor | None, roles: Iterable[str], obj: InProcess) -> bool:
    """True when `actor` holds one of `roles` for `obj`: a global role (quality lead,
    approver...) for every process; a process-scoped one (process owner, staff) only when
    `actor` leads or belongs to the process of `obj`."""
    if actor is None or not getattr(actor, "is_active", False):
        return False
    for name in set(roles) & set(actor.role_names):
        try:
            role = Role(name)
        except ValueError:
            continue
        if role not in PROCESS_SCOPED_ROLES or obj.is_in_process(actor.id):
            return True
    return False


def _permissions(actor: Actor | None) -> frozenset[Permission]:
    if actor is None or not getattr(actor, "is_active", False):
        return frozenset()
    return permissions_of(actor.role_names)


def can(actor: Actor | None, permission: Permission, obj: Any = None) -> bool:
    """True when `actor` holds `permission`, globally or (for `obj`) through ownership."""
    held = _permissions(actor)
    if permission in held:
        return True
    own = OWN_VARIANTS.get(permission)
    if own is None or own not in held or obj is None or actor is None:
        return False
    is_owned_by = getattr(obj, "is_owned_by", None)
    return bool(is_owned_by and is_owned_by(actor.id))


def can_own_variant(actor: Actor | None, permission: Permission) -> bool:
    """True when `actor` may act on some objects (its own) under `permission`."""
    own = OWN_VARIANTS.get(permission)
    return can(actor, permission) or (own is not None and own in _permissions(actor))


def require(actor: Actor | None, permission: Permission, obj: Any = None) -> None:
    """Raise unless `actor` may; services call this before they change anything."""
    if actor is None:
        raise NotAuthenticated(str(_l("Sign in to continue.")))
    if not can(actor, permission, obj):
        raise PermissionDenied(str(_l("You do not have permission to do this.")))


S = TypeVar("S", bound=sa.Select[Any])


def filter_allowed(stmt: S, actor: Actor | None, permission: Permission, model: Any) -> S:
    """Narrow a SELECT on `model` to the rows `actor` may act on under `permission`."""
    if can(actor, permission):
        return stmt
    own = OWN_VARIANTS.get(permission)
    if actor is not None and own is not None and own in _permissions(actor):
        return stmt.where(model.owned_by_clause(actor.id))
    return stmt.where(sa.false())


F = TypeVar("F", bound=Callable[..., Any])


def permission_required(permission: Permission, *, own: bool = False) -> Callable[[F], F]:
    """Edge guard for a view: signed in and holding `permission` (or its own-objects variant).

    The service still checks the object; this refuses early and tells the route matrix test
    which permission the route needs (`view.required_permission`).
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from flask_login import current_user

            actor = current_user if current_user.is_authenticated else None
            if actor is None:
                raise NotAuthenticated(str(_l("Sign in to continue.")))
            allowed = can_own_variant(actor, permission) if own else can(actor, permission)
            if not allowed:
                raise PermissionDenied(str(_l("You do not have permission to do this.")))
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        wrapper.required_own = own  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
